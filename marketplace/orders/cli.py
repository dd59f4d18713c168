import click
from flask.cli import AppGroup

from marketplace.extensions import db
from marketplace.orders import aftersales, services

orders = AppGroup("orders", help="Order housekeeping.")


@orders.command("expire")
def expire() -> None:
    """Expire checkouts unpaid for 30 minutes and give their stock back (exactly once);
    also release cash-on-delivery orders not delivered in COD_RELEASE_HOURS."""
    stats = services.expire_checkouts()
    released = aftersales.release_cod()
    db.session.commit()
    click.echo(f"expired {stats['expired']} unpaid order(s)")
    click.echo(f"released {released['released']} undelivered COD order(s)")


@orders.command("release-cod")
def release_cod() -> None:
    """Cash-on-delivery orders not delivered in COD_RELEASE_HOURS: stock back, once each."""
    stats = aftersales.release_cod()
    db.session.commit()
    click.echo(f"released {stats['released']} undelivered COD order(s)")


@orders.command("auto-complete")
def auto_complete() -> None:
    """Complete shipped orders N days after shipping (AUTO_COMPLETE_DAYS_LOCAL / _COURIER,
    none with an open complaint) and send complaints unsettled for COMPLAINT_DECISION_DAYS
    to an admin. Idempotent: run daily."""
    stats = aftersales.auto_complete()
    db.session.commit()
    click.echo(f"completed {stats['completed']} order(s)")
    click.echo(f"escalated {stats['escalated']} complaint(s)")
