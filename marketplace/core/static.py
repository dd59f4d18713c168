"""Static assets: content-hashed URLs, kept for a year by browsers.

``url_for('static', filename=...)`` adds ``?v=<first 12 hex of the file's SHA-256>``, so a
changed file gets a new URL; a request with a version is answered with a long, immutable
``Cache-Control``. Without one (an old or hand-written link) Flask's default applies
(revalidate each time), so a stale file is never kept.
"""

import hashlib
from pathlib import Path

from flask import Flask, request


def init_app(app: Flask) -> None:
    hashes: dict[str, str | None] = {}
    folder = Path(app.static_folder or "")

    def version_of(filename: str) -> str | None:
        if filename not in hashes or app.debug:
            path = (folder / filename).resolve()
            if folder.resolve() in path.parents and path.is_file():
                hashes[filename] = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
            else:
                hashes[filename] = None
        return hashes[filename]

    @app.url_defaults
    def _versioned_static(endpoint, values):
        if endpoint == "static" and "v" not in values and values.get("filename"):
            version = version_of(values["filename"])
            if version:
                values["v"] = version

    @app.after_request
    def _static_cache_headers(response):
        if request.endpoint != "static" or response.status_code not in (200, 304):
            return response
        if response.status_code == 200 and response.direct_passthrough:
            # Our assets are small: read them once so compression (production) sees a body,
            # not a stream whose file it would never close.
            response.direct_passthrough = False
            response.make_sequence()
        filename = (request.view_args or {}).get("filename", "")
        if request.args.get("v") and request.args["v"] == version_of(filename):
            response.cache_control.public = True
            response.cache_control.max_age = app.config["STATIC_VERSIONED_MAX_AGE"]
            response.cache_control.immutable = True
            response.cache_control.no_cache = None
        return response
