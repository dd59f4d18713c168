"""Products, photos and storefronts."""


def init_app(app) -> None:
    from flask_babel import lazy_gettext as _l

    from marketplace.catalog import pagecache
    from marketplace.catalog.cli import permits, products, uploads_cli
    from marketplace.catalog.models import ProductStatus
    from marketplace.catalog.views import bp
    from marketplace.core.extension import register_labels, register_messages, register_nav

    app.register_blueprint(bp)
    from marketplace.catalog import takedown
    from marketplace.catalog.takedown_views import bp as takedown_bp

    app.register_blueprint(takedown_bp)
    app.jinja_env.globals["open_takedown"] = takedown.open_takedown
    app.context_processor(pagecache.template_context)
    # A guest's cart form posted without its lazily fetched token (no JavaScript).
    app.extensions["csrf_fallback"] = pagecache.lazy_csrf_fallback
    app.config.setdefault("LAZY_CSRF_ENDPOINTS", ("orders.add_to_cart",))
    app.jinja_env.globals["ProductStatus"] = ProductStatus
    app.cli.add_command(permits)
    app.cli.add_command(products)
    app.cli.add_command(uploads_cli)
    register_nav(app, "shopper", "catalog.search_page", _l("Cari"), order=20)
    register_labels(
        app,
        "status",
        {
            ProductStatus.DRAFT: _l("Draf"),
            ProductStatus.LISTED: _l("Tampil di etalase"),
            ProductStatus.UNLISTED: _l("Tidak tampil"),
        },
    )
    register_messages(
        app,
        {
            "product_taken_down": _l(
                "Admin menurunkan produk %(product)s dari etalase. Alasannya: %(reason)s "
                "Perbaiki lalu minta peninjauan ulang dari halaman produk."
            ),
            "product_takedown_lifted": _l(
                "Produk %(product)s boleh ditampilkan lagi. Tampilkan dari halaman usaha Anda."
            ),
            "halal_review": _l(
                "Komposisi atau proses %(product)s (%(business)s) berubah. Sertifikat halalnya "
                "perlu diperiksa ulang."
            ),
        },
    )
