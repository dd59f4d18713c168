"""Configuration classes, read from the environment.

There is no secret default outside development and tests: ``ProdConfig`` refuses to start
without a SECRET_KEY of at least 32 bytes that is not a known development value.
"""

import os
from datetime import timedelta
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_PATH = Path(os.environ.get("PASARKITA_INSTANCE", PROJECT_ROOT / "instance"))

# Values that must never sign a production cookie.
DEV_SECRET_KEYS = frozenset({"dev", "development", "test", "changeme", "secret"})
DEV_SECRET_KEY = "dev-only-secret-key-not-for-production-use"  # noqa: S105


def _read_instance_secret() -> str | None:
    """The key `make run` writes into instance/secret_key, if any."""
    path = INSTANCE_PATH / "secret_key"
    if path.is_file():
        return path.read_text().strip() or None
    return None


class BaseConfig:
    ENV_NAME = "base"
    SECRET_KEY = os.environ.get("SECRET_KEY") or _read_instance_secret()
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{INSTANCE_PATH / 'pasarkita.db'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}

    SESSION_COOKIE_NAME = "pasarkita_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = timedelta(days=7)
    REMEMBER_COOKIE_SECURE = True
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"

    # 6 MiB: the largest upload (5 MB document) plus form overhead.
    MAX_CONTENT_LENGTH = 6 * 1024 * 1024
    MAX_DOCUMENT_BYTES = 5_000_000
    BUSINESS_STORAGE_QUOTA_BYTES = 50_000_000
    UPLOAD_FOLDER = os.environ.get("UPLOAD_FOLDER")  # default: instance/uploads
    # At most this many image decodes at once per process; a request that waits longer
    # than UPLOAD_DECODE_WAIT_SECONDS for one is told to try again (503).
    UPLOAD_DECODE_SLOTS = int(os.environ.get("UPLOAD_DECODE_SLOTS", "2"))
    UPLOAD_DECODE_WAIT_SECONDS = float(os.environ.get("UPLOAD_DECODE_WAIT_SECONDS", "5"))
    # Stripe: real keys in production; localstripe (any sk_test_ key) in development.
    STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY", "sk_test_pasarkita_dev")
    STRIPE_PUBLISHABLE_KEY = os.environ.get("STRIPE_PUBLISHABLE_KEY", "pk_test_pasarkita_dev")
    STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE", "http://127.0.0.1:8420")
    STRIPE_JS_URL = os.environ.get("STRIPE_JS_URL", "http://127.0.0.1:8420/js.stripe.com/v3/")
    STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "whsec_pasarkita_dev")
    MIN_ORDER_IDR = 10_000
    MAX_CHECKOUT_IDR = 500_000_000  # within a 32-bit column and card limits
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "console")
    MAIL_FROM = os.environ.get("MAIL_FROM", "Pasarkita <no-reply@pasarkita.id>")
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "587"))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    # Messages to phones (notifications/phone.py): console, whatsapp or sms.
    PHONE_BACKEND = os.environ.get("PHONE_BACKEND", "console")
    PHONE_MAX_ATTEMPTS = 8
    PHONE_RETRY_BASE_SECONDS = 60
    PHONE_RETRY_MAX_SECONDS = 3600
    WHATSAPP_API_BASE = os.environ.get("WHATSAPP_API_BASE", "https://graph.facebook.com")
    WHATSAPP_API_VERSION = os.environ.get("WHATSAPP_API_VERSION", "v21.0")
    WHATSAPP_PHONE_NUMBER_ID = os.environ.get("WHATSAPP_PHONE_NUMBER_ID")
    WHATSAPP_TOKEN = os.environ.get("WHATSAPP_TOKEN")
    WHATSAPP_CODE_TEMPLATE = os.environ.get("WHATSAPP_CODE_TEMPLATE")
    WHATSAPP_TEMPLATE_LANG = os.environ.get("WHATSAPP_TEMPLATE_LANG", "id")
    SMS_GATEWAY_URL = os.environ.get("SMS_GATEWAY_URL")
    SMS_GATEWAY_TOKEN = os.environ.get("SMS_GATEWAY_TOKEN")
    SMS_SENDER_ID = os.environ.get("SMS_SENDER_ID", "Pasarkita")
    # One-time codes to phones and recovery links (accounts/recovery.py).
    PHONE_CODE_MINUTES = 10
    PHONE_CODE_ATTEMPTS = 5
    RECOVERY_LINK_SECONDS = 3600
    # Codes sent per number and per IP in a window, counted in the database (rate_counter);
    # the Flask-Limiter limit on the routes is the first, per-process line.
    CODE_SENDS_PER_NUMBER = 3
    CODE_SENDS_PER_IP = 10
    CODE_SEND_WINDOW_SECONDS = 3600
    RECOVERY_IP_LIMIT = "10 per hour"
    CODE_CHECK_IP_LIMIT = "30 per hour"
    CHECKOUT_TTL_MINUTES = 30
    # After-sales (issue 15). A shipped order completes (its money becomes payable) when the
    # buyer confirms receipt or this many days after shipping, per delivery kind; until then
    # the buyer may open a complaint. Pickup and the seller's own delivery are "local".
    AUTO_COMPLETE_DAYS_LOCAL = int(os.environ.get("AUTO_COMPLETE_DAYS_LOCAL", "3"))
    AUTO_COMPLETE_DAYS_COURIER = int(os.environ.get("AUTO_COMPLETE_DAYS_COURIER", "7"))
    # A complaint the seller has not settled after this many days goes to an admin.
    COMPLAINT_DECISION_DAYS = int(os.environ.get("COMPLAINT_DECISION_DAYS", "3"))
    # A COD order not delivered (cash not recorded) after this many hours gives its stock back.
    COD_RELEASE_HOURS = int(os.environ.get("COD_RELEASE_HOURS", "72"))
    # A buyer with this many failed or lapsed COD orders may no longer pay on delivery.
    COD_MAX_FAILURES = int(os.environ.get("COD_MAX_FAILURES", "2"))
    SEARCH_INDEX_DIR = os.environ.get("SEARCH_INDEX_DIR")  # default: instance/search_index
    SEARCH_WRITE_TIMEOUT = 2.0
    SEARCH_APPLY_ON_START = True
    # This node's name in search_node (default: host name and index folder), and how long a
    # node that stopped reporting still holds back `flask search prune`.
    SEARCH_NODE_NAME = os.environ.get("SEARCH_NODE_NAME")
    SEARCH_NODE_TTL_HOURS = float(os.environ.get("SEARCH_NODE_TTL_HOURS", "24"))
    # PP 42/2024: halal becomes mandatory for micro/small food and cosmetics on this date.
    HALAL_MANDATORY_DATES: dict = {}
    WTF_CSRF_TIME_LIMIT = 4 * 3600

    # Catalog pages for guests (catalog/pagecache.py): per worker, re-checked on every hit;
    # this bounds what the change feed does not carry (a chapter's leads). 0 turns it off.
    CACHE_TYPE = os.environ.get("CACHE_TYPE", "SimpleCache")
    CACHE_THRESHOLD = 2000
    CACHE_DEFAULT_TIMEOUT = 300
    PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "60"))
    # A chapter's counts (members, listed products) grow with it: counted once a minute.
    FIGURES_CACHE_SECONDS = 60
    # gzip/br for text, JSON, CSS and JS (flask-compress), on in production.
    COMPRESS_RESPONSES = False
    COMPRESS_ALGORITHM = ["br", "gzip"]
    COMPRESS_BR_LEVEL = 4
    COMPRESS_LEVEL = 6
    # Static files are linked with ?v=<content hash> (core/static.py) and kept this long.
    STATIC_VERSIONED_MAX_AGE = 365 * 24 * 3600

    BABEL_DEFAULT_LOCALE = "id"
    BABEL_DEFAULT_TIMEZONE = "Asia/Jakarta"
    LANGUAGES = ("id", "en")

    RATELIMIT_ENABLED = True
    # memory:// counts per process (one server, `make run`, tests); several app servers share
    # one store, e.g. redis://host:6379/0 (the `deploy` extra installs the redis client).
    # Should that store fail, each process counts in memory until it is back, rather than
    # answering 500 to every limited request.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_KEY_PREFIX = "pasarkita"
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_IP_LIMIT = os.environ.get("LOGIN_IP_LIMIT", "20 per minute")
    REGISTER_IP_LIMIT = "5 per hour;20 per day"
    # Per-account throttle (stored in the database): after this many failures in a row the
    # identifier cools down, doubling each time up to LOGIN_THROTTLE_MAX_SECONDS (minutes,
    # not an hour: it slows guessing without locking the owner out). A browser that logged
    # in before holds a device cookie and is throttled on its own.
    LOGIN_THROTTLE_FREE_FAILURES = 5
    LOGIN_THROTTLE_BASE_SECONDS = 30
    LOGIN_THROTTLE_MAX_SECONDS = 300
    DEVICE_COOKIE_NAME = "pasarkita_device"
    DEVICE_COOKIE_DAYS = 180

    HSTS = False
    TRUSTED_HOSTS = None
    PROXY_HOPS = int(os.environ.get("PROXY_HOPS", "0"))
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000")
    DATA_ENCRYPTION_KEYS = os.environ.get("DATA_ENCRYPTION_KEYS", "")
    # Key of the NIK blind index (HMAC-SHA256, core/crypto.blind_index): separate from the
    # encryption keys and SECRET_KEY; required in production, derived in dev and tests.
    NIK_INDEX_KEY = os.environ.get("NIK_INDEX_KEY", "")
    PASSWORD_HASH_METHOD = "scrypt"  # noqa: S105 - a method name, not a password

    # Extra script sources allowed by the CSP (Stripe.js in later features).
    CSP_SCRIPT_SOURCES: tuple[str, ...] = ()
    CSP_FRAME_SOURCES: tuple[str, ...] = ()
    CSP_CONNECT_SOURCES: tuple[str, ...] = ()


class DevConfig(BaseConfig):
    ENV_NAME = "development"
    SECRET_KEY = BaseConfig.SECRET_KEY or DEV_SECRET_KEY
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False


class TestConfig(BaseConfig):
    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "test-secret-key-that-is-long-enough-for-hmac"  # noqa: S105
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL_TEST", "sqlite://")
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    RATELIMIT_ENABLED = False
    # Nothing listens on the discard port: a test that needs Stripe asks for localstripe.
    STRIPE_API_BASE = "http://127.0.0.1:9"
    STRIPE_WEBHOOK_SECRET = "whsec_test_pasarkita"  # noqa: S105
    # Cheap hashing keeps the suite fast; production keeps scrypt.
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # noqa: S105
    SEARCH_APPLY_ON_START = False
    # Off by default: many tests change data the feed does not carry and look again at once;
    # tests/integration/test_catalog_pages.py turns it on.
    PAGE_CACHE_SECONDS = 0
    FIGURES_CACHE_SECONDS = 0
    # The demo's catalogue sellers (issue 16: 62 with ~400 drawn photos) in the many tests
    # that run seed-demo; tests/integration/test_demo_catalogue.py seeds all of them.
    DEMO_CATALOGUE_SELLERS = 3


class ProdConfig(BaseConfig):
    ENV_NAME = "production"
    STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE") or None  # api.stripe.com
    STRIPE_JS_URL = "https://js.stripe.com/v3/"
    SESSION_COOKIE_NAME = "__Host-session"
    DEVICE_COOKIE_NAME = "__Host-device"
    HSTS = True
    COMPRESS_RESPONSES = True
    # No pre-ping round trip on every checkout of a pooled connection (one statement per
    # request on the catalog pages, issue 11): connections are recycled before PostgreSQL's
    # or a proxy's idle timeout instead, and a dropped one fails one request, not every one.
    SQLALCHEMY_ENGINE_OPTIONS = {
        "pool_pre_ping": False,
        "pool_recycle": int(os.environ.get("DATABASE_POOL_RECYCLE_SECONDS", "1800")),
    }
    TRUSTED_HOSTS = [h for h in os.environ.get("TRUSTED_HOSTS", "").split(",") if h] or None
    # Fail closed: no console e-mail and no localhost links unless set explicitly.
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND") or None
    PHONE_BACKEND = os.environ.get("PHONE_BACKEND") or None
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL") or None


CONFIGS = {"development": DevConfig, "testing": TestConfig, "production": ProdConfig}


class ConfigError(RuntimeError):
    """The configuration is unsafe or incomplete; the app must not start."""


def check_secret_key(config) -> None:
    """Fail fast on a missing, short or well-known SECRET_KEY outside dev and tests."""
    if config.get("ENV_NAME") in ("development", "testing"):
        return
    key = config.get("SECRET_KEY")
    if not key:
        raise ConfigError("SECRET_KEY is not set; refusing to start.")
    raw = key.encode() if isinstance(key, str) else key
    if len(raw) < 32:
        raise ConfigError("SECRET_KEY must be at least 32 bytes.")
    if key in DEV_SECRET_KEYS or key in (DEV_SECRET_KEY, TestConfig.SECRET_KEY):
        raise ConfigError("SECRET_KEY is a development value; refusing to start.")
    for name, dev_value in (
        ("STRIPE_SECRET_KEY", "sk_test_pasarkita_dev"),
        ("STRIPE_WEBHOOK_SECRET", "whsec_pasarkita_dev"),
    ):
        if not config.get(name) or config.get(name) == dev_value:
            raise ConfigError(f"{name} is not set for production; refusing to start.")
    index_key = config.get("NIK_INDEX_KEY") or ""
    if len(index_key.encode() if isinstance(index_key, str) else index_key) < 32:
        raise ConfigError("NIK_INDEX_KEY must be set (32 bytes or more) in production.")
    if index_key in (key, config.get("DATA_ENCRYPTION_KEYS")):
        raise ConfigError("NIK_INDEX_KEY must differ from SECRET_KEY and the encryption keys.")
    check_production_defaults(config)


def check_production_defaults(config) -> None:
    """Production fails closed: a Host allow-list, an https public address, a chosen mailer."""
    from urllib.parse import urlsplit

    if not config.get("TRUSTED_HOSTS"):
        raise ConfigError("TRUSTED_HOSTS is not set for production; refusing to start.")
    base = (config.get("PUBLIC_BASE_URL") or "").strip()
    parts = urlsplit(base)
    if parts.scheme != "https" or not parts.netloc:
        raise ConfigError("PUBLIC_BASE_URL must be an https URL in production; refusing to start.")
    if config.get("MAIL_BACKEND") not in ("smtp", "console"):
        raise ConfigError(
            "MAIL_BACKEND is not set for production (smtp, or console on purpose); "
            "refusing to start."
        )
    check_phone_backend(config)


def check_phone_backend(config) -> None:
    """Production sends codes through a provider: never the console (codes in the logs)."""
    backend = config.get("PHONE_BACKEND")
    required = {
        "whatsapp": ("WHATSAPP_TOKEN", "WHATSAPP_PHONE_NUMBER_ID"),
        "sms": ("SMS_GATEWAY_URL", "SMS_GATEWAY_TOKEN"),
    }
    if backend not in required:
        raise ConfigError(
            "PHONE_BACKEND must be whatsapp or sms in production (the console backend "
            "writes one-time codes to the log); refusing to start."
        )
    missing = [name for name in required[backend] if not config.get(name)]
    if missing:
        raise ConfigError(f"{', '.join(missing)} not set for PHONE_BACKEND={backend}.")
