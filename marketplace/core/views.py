"""The web layer's unit of work (Indico's request handler as a decorator).

A view parses its input, loads what it needs through a scoped loader, calls one service and
renders. ``@unit_of_work`` commits once when the view returns and rolls back when anything
raises; ``domain_errors()`` turns a refused rule into a message on the form (or a flash) after
rolling back, so the view re-renders with what the user typed. No view commits or catches
``DomainError`` itself (a test reads the source to keep it so).

    @bp.route("/products/new", methods=["GET", "POST"])
    @login_required
    @unit_of_work
    def new_product():
        business = owner_business_or_404(current_user)
        form = ProductForm()
        if form.validate_on_submit():
            with domain_errors(form):
                product = catalog.create_product(business, form.product_input(), actor=current_user)
                flash(_("Draf tersimpan."), "success")
                return redirect(url_for(".edit_product", product_id=product.id))
        return render_template("businesses/product_form.html", form=form)
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any

from flask import flash, request

from marketplace.core.errors import DomainError, NotFound
from marketplace.extensions import db


def unit_of_work(view: Callable) -> Callable:
    """Commit once after ``view`` returns; roll back if it raises (the error handlers then
    answer 404/403/409 or the generic 500)."""

    @wraps(view)
    def handler(*args: Any, **kwargs: Any) -> Any:
        try:
            response = view(*args, **kwargs)
        except BaseException:
            db.session.rollback()
            raise
        db.session.commit()
        return response

    # Survives functools.wraps in outer decorators, so a test can ask every POST view.
    handler.unit_of_work = True  # type: ignore[attr-defined]
    return handler


class Refusal:
    """What ``domain_errors`` caught: falsy while the rule held, else the refused error."""

    error: DomainError | None = None

    def __bool__(self) -> bool:
        return self.error is not None

    @property
    def message(self) -> str:
        return str(self.error.message) if self.error is not None else ""

    @property
    def field(self) -> str | None:
        return self.error.details.get("field") if self.error is not None else None

    @property
    def status_code(self) -> int:
        return self.error.status_code if self.error is not None else 200

    status = status_code


@contextmanager
def domain_errors(
    form: Any = None, *, field: str | None = None, show: bool = True, not_found: bool = False
) -> Iterator[Refusal]:
    """Show a refused rule instead of failing the request: roll back what the service did,
    then put the message on ``form`` (on the field the error names, else on ``field``, else
    on the form) or flash it. ``show=False`` only records it on the yielded ``Refusal`` (a
    JSON or error page answers instead). Missing or out-of-scope objects still propagate
    (404), unless ``not_found=True`` says a missing row is only a message here (a cart line
    that is already gone)."""
    refusal = Refusal()
    try:
        yield refusal
    except DomainError as exc:
        if isinstance(exc, NotFound) and not not_found:
            raise
        db.session.rollback()
        refusal.error = exc
        if show:
            show_error(exc, form, field=field)


def confirmed() -> bool:
    """True only on the POST of a "check your answers" / confirm page (templates/_forms.html
    ``check_answers``: its button sends ``confirm=1``). The reusable confirm pattern for
    registrations, deletes, refunds, rejections and withdrawals:

        if form.validate_on_submit():
            with domain_errors(form):
                services.check_something(data)        # every rule, nothing written
                if not confirmed():
                    return render_template("x_check.html", form=form)   # the answers, 200
                services.do_something(data)           # checks again, then writes
                return redirect(...)

    A GET or the form's own POST shows the answers; only the confirming POST acts."""
    return request.method == "POST" and request.form.get("confirm") == "1"


def show_error(exc: DomainError, form: Any = None, *, field: str | None = None) -> None:
    text = str(exc.message)
    if form is None:
        flash(text, "error")
        return
    errors = exc.details.get("errors")
    if isinstance(errors, dict) and errors:
        # Every refused field at once (the error summary lists them): a field the form's own
        # validators already refused keeps that message alone.
        for name, message in errors.items():
            if name in form:
                if not form[name].errors:
                    form[name].errors = [*form[name].errors, str(message)]
            else:
                form.form_errors.append(str(message))
        return
    name = exc.details.get("field")
    if not (name and name in form):
        name = field
    if name and name in form:
        form[name].errors = [*form[name].errors, text]
    else:
        form.form_errors.append(text)


@contextmanager
def command_unit_of_work() -> Iterator[None]:
    """A CLI command's unit of work, the same rule as a view's: commit once at the end; a
    refused rule rolls back and becomes the command's error message (exit status 1)."""
    import click

    try:
        yield
    except DomainError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc.message)) from exc
    db.session.commit()
