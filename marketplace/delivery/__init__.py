"""Delivery options, zones, rate tables, ongkir and tracking links (issue 15)."""


def init_app(app) -> None:
    from marketplace.delivery.views import bp

    app.register_blueprint(bp)
    app.config.setdefault("DELIVERY_RATE_PROVIDER", "table")
    app.jinja_env.globals["delivery_summary_for"] = _summary
    app.jinja_env.globals["option_label"] = _label
    app.jinja_env.filters["delivery_zone_label"] = _zone_label


def _summary(business):
    from marketplace.delivery.services import summary_for

    return summary_for(business)


def _label(option):
    from marketplace.delivery.services import option_label

    return option_label(option)


def _zone_label(zone):
    from marketplace.delivery.services import ZONE_LABELS

    return ZONE_LABELS.get(zone, zone)
