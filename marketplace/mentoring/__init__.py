"""Sessions, attendance, check-ins, the 7 PAS pathway, reminders."""


def init_app(app) -> None:
    from flask_babel import lazy_gettext as _l

    from marketplace.core.extension import register_messages
    from marketplace.mentoring.cli import mentoring, outbox

    app.cli.add_command(mentoring)
    app.cli.add_command(outbox)
    _summaries(app)
    register_messages(
        app,
        {
            "session_reminder": _l(
                'Pengingat: besok %(when)s ada sesi "%(topic)s" di %(place)s. Sampai jumpa!'
            ),
            "checkin_due": _l(
                "%(n)d anggota chapter %(chapter)s belum dievaluasi bulan ini. Buka konsol "
                "pengurus."
            ),
        },
    )


def _summaries(app) -> None:
    """The dashboards' summary tables: the host models whose changes move a funnel fact."""
    from marketplace.catalog.models import Product, ProductEvent
    from marketplace.core.extension import register_summary_watch
    from marketplace.ledger.models import LedgerEntry
    from marketplace.legality.models import LegalityDocument
    from marketplace.mentoring import summaries
    from marketplace.mentoring.models import CheckIn
    from marketplace.orders.models import Order

    # CheckIn: the members' last check-in days (summaries.MemberLastDay).
    for model in (LegalityDocument, Product, Order, LedgerEntry, CheckIn):
        register_summary_watch(app, model, lambda row: row.business_id)
    register_summary_watch(app, ProductEvent, _business_of_product_event)
    app.cli.add_command(summaries.summaries)
    summaries.install()


def _business_of_product_event(event):
    from sqlalchemy import select

    from marketplace.catalog.models import Product
    from marketplace.extensions import db

    if event.product_id is None:
        return None
    return (
        db.session.connection()
        .execute(select(Product.business_id).where(Product.id == event.product_id))
        .scalar()
    )
