"""Extension objects, created once and bound to the app in ``create_app``."""

from flask_babel import Babel
from flask_babel.speaklater import LazyString
from flask_caching import Cache
from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from markupsafe import escape
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


# Flask-Babel's lazy strings declare themselves HTML-safe (``__html__`` returns the text
# unescaped), so Jinja's autoescape passed "Stok %(name)s tinggal" with a seller's product name
# straight into the page, and "Fashion & pakaian" as a raw "&". Our messages hold no markup:
# a lazy string is text, escaped like any other.
LazyString.__html__ = lambda self: str(escape(str(self)))  # type: ignore[method-assign]

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
# In-process by default (CACHE_TYPE); holds what changes only with the data (catalog pages).
cache = Cache()
# Registered only where COMPRESS_RESPONSES is set (production).
compress = Compress()
