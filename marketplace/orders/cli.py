import click
from flask.cli import AppGroup

from marketplace.extensions import db
from marketplace.orders import services

orders = AppGroup("orders", help="Order housekeeping.")


@orders.command("expire")
def expire() -> None:
    """Expire checkouts unpaid for 30 minutes and give their stock back (exactly once)."""
    stats = services.expire_checkouts()
    db.session.commit()
    click.echo(f"expired {stats['expired']} unpaid order(s)")
