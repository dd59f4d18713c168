"""CLI for operators: the kept rating sums and units sold rebuilt from the rows."""

import click
from flask.cli import AppGroup

from marketplace.core.views import command_unit_of_work
from marketplace.reviews import services

reviews = AppGroup("reviews", help="Ratings and reviews.")


@reviews.command("recount")
def recount() -> None:
    """Rebuild every product's and seller's rating count and sum, and every product's units
    sold, from the reviews and completed orders (after a bulk load or a restore). The search
    index sorts by them: run `flask search reindex` on each server afterwards."""
    with command_unit_of_work():
        services.recount()
    click.echo("rating sums and units sold rebuilt; run `flask search reindex` on each server")
