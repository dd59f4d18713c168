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

from flask import flash

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

    return handler


class Refusal:
    """What ``domain_errors()`` caught, for a view that answers with a status code or shows
    the message on the page itself: falsy until a rule refused."""

    error: DomainError | None = None

    def __bool__(self) -> bool:
        return self.error is not None

    @property
    def message(self) -> str | None:
        return str(self.error.message) if self.error is not None else None

    @property
    def field(self) -> str | None:
        return self.error.details.get("field") if self.error is not None else None

    @property
    def status(self) -> int:
        return self.error.status_code if self.error is not None else 200


@contextmanager
def domain_errors(form: Any = None, *, show: bool = True) -> Iterator[Refusal]:
    """Show a refused rule instead of failing the request: roll back what the service did,
    then put the message on ``form`` (on the field the error names, when it has one) or flash
    it. Missing or out-of-scope objects still propagate (404).

    ``with domain_errors(form) as refused:`` gives the error to views that answer 4xx on a
    refusal; ``show=False`` leaves showing it to the view (a page-level alert)."""
    refusal = Refusal()
    try:
        yield refusal
    except NotFound:
        raise
    except DomainError as exc:
        db.session.rollback()
        refusal.error = exc
        if show:
            show_error(exc, form)


def show_error(exc: DomainError, form: Any = None) -> None:
    text = str(exc.message)
    if form is None:
        flash(text, "error")
        return
    field = exc.details.get("field")
    if field and field in form:
        form[field].errors = [*form[field].errors, text]
    else:
        form.form_errors.append(text)


def run_action(action: Callable[[], object], success: str | None = None) -> DomainError | None:
    """Transitional: call ``action`` and commit, or roll back and flash the domain error
    (returned). New code uses ``@unit_of_work`` with ``domain_errors()``."""
    try:
        action()
    except NotFound:
        raise
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        return exc
    db.session.commit()
    if success:
        flash(success, "success")
    return None
