import click
from flask.cli import AppGroup

from marketplace.search import services

search = AppGroup("search", help="The local search index of this server.")


@search.command("reindex")
@click.option("--procs", default=1, show_default=True, help="Writer processes.")
def reindex(procs: int) -> None:
    """Rebuild this server's index from the database (listed products only)."""
    count = services.reindex(procs=procs)
    click.echo(f"indexed {count} listed product(s)")


@search.command("follow")
@click.option("--interval", default=0.5, show_default=True, help="Seconds between polls.")
@click.option("--once", is_flag=True, help="Apply the feed once and exit.")
def follow(interval: float, once: bool) -> None:
    """Apply the product change feed to this server's index, continuously."""
    services.follow(interval=interval, rounds=1 if once else None)
    if once:
        click.echo(f"index at feed position {services.get_index().position()}")


@search.command("prune")
@click.option(
    "--ttl-hours",
    type=float,
    default=None,
    help="Forget nodes not seen for this long (default SEARCH_NODE_TTL_HOURS).",
)
def prune(ttl_hours: float | None) -> None:
    """Delete change-feed rows that every search node has applied."""
    removed = services.prune(ttl_hours)
    click.echo(f"pruned {removed} feed row(s); pruned below {services.pruned_below()}")
