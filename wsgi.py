"""WSGI entry point: the marketplace app with its plug-ins (by default the referral network).

``PASARKITA_PLUGINS`` names the plug-in packages, comma-separated; unset means
``referrals``, empty means the host alone (marketplace never imports a plug-in itself).
"""

import os

from marketplace import create_app
from marketplace.core.extension import install_plugins

DEFAULT_PLUGINS = "referrals"

app = create_app()
install_plugins(app, os.environ.get("PASARKITA_PLUGINS", DEFAULT_PLUGINS))
