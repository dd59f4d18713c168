"""Domain errors and the generic error pages (no internals, a request id to quote)."""

import logging

from flask import g, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from marketplace.extensions import db

log = logging.getLogger("pasarkita.errors")


# Details of a DomainError a JSON client may see (which field, state or action was refused).
PUBLIC_DETAILS = ("field", "state", "action")


class DomainError(Exception):
    """A rule of the domain refused the action; the message is safe to show to the user."""

    status_code = 400
    code = "domain_error"

    def __init__(self, message=None, **details):
        if message is None:
            # A refusal without its own words says what its status means ("Halaman tidak
            # ditemukan." for a 404, never the generic "cannot be processed").
            message = ERROR_TEXT.get(self.status_code) if self.status_code in (403, 404) else None
        self.message = message if message is not None else _l("Permintaan tidak dapat diproses.")
        self.details = details
        super().__init__(self.message)

    def json_details(self) -> dict:
        """Extra members of the JSON error body: which field, state or action was refused
        (subclasses add more, e.g. what a refused listing lacks)."""
        return {key: str(self.details[key]) for key in PUBLIC_DETAILS if key in self.details}


class NotFound(DomainError):
    status_code = 404
    code = "not_found"


class OutOfScope(NotFound):
    """Another tenant's object: answered exactly like a missing one."""

    code = "not_found"


class PermissionDenied(DomainError):
    status_code = 403
    code = "forbidden"


class IllegalTransition(DomainError):
    status_code = 409
    code = "illegal_transition"


class ValidationFailed(DomainError):
    code = "invalid"


class FieldErrors:
    """Collect every refused field of one input, then refuse once with all of them (the
    form's error summary shows each; a JSON client gets the first as ``field``):

        errors = FieldErrors()
        with errors.on("nik"):
            nik = check_nik(data.nik)
        with errors.on("nib"):
            nib = check_nib(data.nib)
        errors.raise_if_any()
    """

    def __init__(self) -> None:
        self.by_field: dict[str, object] = {}

    def on(self, field: str):
        from contextlib import contextmanager

        @contextmanager
        def collecting():
            try:
                yield
            except ValidationFailed as exc:
                name = exc.details.get("field") or field
                self.by_field.setdefault(name, exc.message)

        return collecting()

    def raise_if_any(self) -> None:
        if self.by_field:
            name, message = next(iter(self.by_field.items()))
            raise ValidationFailed(message, field=name, errors=dict(self.by_field))


def wants_json() -> bool:
    return request.path.startswith("/api/") or (request.accept_mimetypes.best == "application/json")


ERROR_TEXT = {
    400: _l("Permintaan tidak valid."),
    401: _l("Silakan masuk terlebih dahulu."),
    403: _l("Anda tidak memiliki akses ke halaman ini."),
    404: _l("Halaman tidak ditemukan."),
    405: _l("Metode tidak diizinkan."),
    409: _l("Permintaan bertentangan dengan keadaan saat ini."),
    413: _l("Berkas terlalu besar."),
    429: _l("Terlalu banyak percobaan. Silakan coba lagi nanti."),
    500: _l("Maaf, terjadi kesalahan di sistem kami."),
}

ERROR_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    429: "rate_limited",
    500: "server_error",
}


def error_response(status: int, message=None, code: str | None = None, extra=None):
    text = str(message if message is not None else ERROR_TEXT.get(status, ERROR_TEXT[500]))
    request_id = getattr(g, "request_id", None)
    if wants_json():
        body = {"error": {"code": code or ERROR_CODES.get(status, "error"), "message": text}}
        body["error"].update(extra or {})
        if request_id:
            body["error"]["request_id"] = request_id
        return jsonify(body), status
    return (
        render_template("errors/error.html", status=status, message=text, request_id=request_id),
        status,
    )


def register_error_handlers(app) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        # A feature may answer some refusals itself (catalog: a guest's lazy-token form).
        fallback = app.extensions.get("csrf_fallback")
        response = fallback() if fallback is not None else None
        if response is not None:
            return response
        return error_response(
            400, _l("Sesi formulir kedaluwarsa. Muat ulang halaman lalu coba lagi."), "csrf"
        )

    @app.errorhandler(HTTPException)
    def http_error(exc):
        body, status = error_response(exc.code or 500)
        response = app.make_response((body, status))
        if exc.code == 405 and getattr(exc, "valid_methods", None):
            response.headers["Allow"] = ", ".join(exc.valid_methods)  # RFC 9110
        return response

    @app.errorhandler(DomainError)
    def domain_error(exc):
        db.session.rollback()
        return error_response(exc.status_code, exc.message, exc.code, exc.json_details())

    @app.errorhandler(Exception)
    def unhandled(exc):
        db.session.rollback()
        log.exception(
            "unhandled error request_id=%s path=%s", getattr(g, "request_id", "-"), request.path
        )
        return error_response(500)
