"""Production checks out pooled connections without a ping round trip per request (issue 11:
catalog throughput); connections are recycled before idle timeouts instead."""

from marketplace import create_app
from tests.integration.test_security_defaults import STRONG_KEY, prod_config


def test_production_pool_recycles_connections_instead_of_pinging_on_every_checkout(migrated):
    app = create_app(prod_config(SECRET_KEY=STRONG_KEY, SQLALCHEMY_DATABASE_URI=migrated))
    with app.app_context():
        from marketplace.extensions import db

        pool = db.engine.pool
        assert pool._pre_ping is False
        assert pool._recycle == 1800
        db.engine.dispose()
