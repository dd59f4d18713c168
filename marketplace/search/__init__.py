"""The Whoosh index, its change feed and reindexing."""


def init_app(app) -> None:
    from marketplace.search import feed, services  # noqa: F401  (feed attaches listeners)
    from marketplace.search.cli import search

    app.cli.add_command(search)
    services.register(app)
