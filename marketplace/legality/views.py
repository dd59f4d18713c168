"""Document review, shared by the lead console and the admin area (one rule, two scopes)."""

from flask import flash, redirect, render_template
from flask_babel import gettext as _
from flask_login import current_user

from marketplace.businesses.forms import ReviewForm
from marketplace.core.errors import DomainError, ValidationFailed
from marketplace.extensions import db
from marketplace.legality.services import check_number, review_document


def review_page(document, *, role: str, done_url: str, file_url: str, **context):
    """GET shows the document beside its typed number and format check; POST decides."""
    form = ReviewForm()
    status = 200
    if form.validate_on_submit():
        try:
            review_document(
                document, form.action.data, actor=current_user, role=role, note=form.note.data
            )
        except DomainError as exc:
            db.session.rollback()
            form.note.errors = [str(exc.message)]
            status = 400
        else:
            db.session.commit()
            flash(_("Keputusan disimpan dan pemilik usaha sudah diberi tahu."), "success")
            return redirect(done_url)
    elif form.is_submitted():
        status = 400
    try:
        format_check, format_error = check_number(document.kind, document.number), None
    except ValidationFailed as exc:
        format_check, format_error = None, str(exc.message)
    return render_template(
        "legality/review.html",
        document=document,
        form=form,
        format_check=format_check,
        format_error=format_error,
        file_url=file_url,
        done_url=done_url,
        **context,
    ), status
