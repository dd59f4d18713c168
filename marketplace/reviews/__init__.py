"""Ratings and reviews (issue 16 item 3): models, rules (services), pages, the public API's
reviews endpoint and the kept per-product and per-seller averages."""


def init_app(app) -> None:
    from flask_babel import lazy_gettext as _l

    from marketplace.core.extension import register_nav, register_openapi, register_personal_data
    from marketplace.reviews import api, services, views  # noqa: F401 - services: signals
    from marketplace.reviews.cli import reviews
    from marketplace.reviews.personal_data import personal_data

    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    app.cli.add_command(reviews)
    register_openapi(app, api.openapi_part)
    register_personal_data(app, personal_data)
    register_nav(
        app,
        "owner",
        "reviews.seller_list",
        _l("Ulasan pembeli"),
        order=45,
        visible=lambda user: bool(getattr(user, "is_authenticated", False)),
    )
    register_nav(
        app,
        "admin",
        "reviews.admin_list",
        _l("Ulasan dilaporkan"),
        order=37,
        visible=lambda user: bool(getattr(user, "is_admin", False)),
    )
    _template_helpers(app)


def _template_helpers(app) -> None:
    """What the catalog and order templates ask: a rating's text, a product's page of
    reviews, a storefront's latest reviews, the buyer's reviews of an order's lines."""
    from flask import request
    from flask_babel import format_decimal

    from marketplace.reviews import services

    def rating_average(obj) -> str:
        value = services.average(obj.rating_count or 0, obj.rating_sum or 0)
        return format_decimal(value, format="0.0") if value is not None else ""

    app.jinja_env.globals.update(
        rating_average=rating_average,
        product_reviews=lambda product: services.product_reviews(
            product.id, request.args.get("ulasan")
        ),
        business_reviews=services.business_reviews,
        reviews_by_line=services.reviews_by_line,
        review_editable=services.can_edit,
    )
