"""Extension objects, created once and bound to the app in ``create_app``."""

import os

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


@migrate.configure
def plugin_version_locations(config):
    """Alembic reads the host's versions plus the folders the current app's plug-ins registered.

    Registered once on the module-level ``migrate``; it reads ``current_app``'s registry, so a
    host built without the referral network never sees (nor applies) that branch.
    """
    from flask import current_app

    from marketplace.core.extension import registry

    folders = registry(current_app).migration_folders
    if folders:
        host = os.path.join(config.get_main_option("script_location"), "versions")
        # ConfigParser interpolates "%"; path_separator=os splits on os.pathsep only.
        locations = os.pathsep.join([host, *folders]).replace("%", "%%")
        config.set_main_option("path_separator", "os")
        config.set_main_option("version_locations", locations)
    return config
