"""Delivery options, zones, rate tables, ongkir and tracking links (issue 15)."""


def init_app(app) -> None:
    from flask_babel import lazy_gettext as _l

    from marketplace.core.extension import register_nav
    from marketplace.delivery.lead_views import lead_bp
    from marketplace.delivery.views import bp

    app.register_blueprint(bp)
    app.register_blueprint(lead_bp)
    register_nav(app, "lead.dashboard", "delivery_lead.tables", _l("Tabel ongkir chapter"))
    app.config.setdefault("DELIVERY_RATE_PROVIDER", "table")
    app.jinja_env.globals["delivery_summary_for"] = _summary
    app.jinja_env.globals["option_label"] = _label
    app.jinja_env.filters["delivery_zone_label"] = _zone_label
    app.jinja_env.globals["delivery_rate_grid"] = _rate_grid
    app.jinja_env.globals["delivery_grid_bands"] = _grid_bands


def _summary(business):
    from marketplace.delivery.services import summary_for

    return summary_for(business)


def _label(option):
    from marketplace.delivery.services import option_label

    return option_label(option)


def _zone_label(zone):
    from marketplace.delivery.services import ZONE_LABELS

    return ZONE_LABELS.get(zone, zone)


def _rate_grid(rows):
    from marketplace.delivery.services import rate_grid

    return rate_grid(rows)


def _grid_bands(rows):
    from marketplace.delivery.services import grid_bands

    return grid_bands(rows)
