"""The document review page, a web component the legality feature exports to the consoles
that host it (the lead console and the admin area: one rule, two scopes). Not a blueprint."""

from flask import flash, redirect, render_template
from flask_babel import gettext as _
from flask_login import current_user

from marketplace.businesses.forms import ReviewForm
from marketplace.core.views import domain_errors
from marketplace.legality.services import check_number, review_document


def review_page(document, *, role: str, done_url: str, file_url: str, **context):
    """GET shows the document beside its typed number and format check; POST decides.
    The calling view is a ``@unit_of_work``: it commits the decision."""
    form = ReviewForm()
    status = 200
    if form.validate_on_submit():
        with domain_errors(form, field="note"):
            review_document(
                document, form.action.data, actor=current_user, role=role, note=form.note.data
            )
            flash(_("Keputusan disimpan dan pemilik usaha sudah diberi tahu."), "success")
            return redirect(done_url)
        status = 400
    elif form.is_submitted():
        status = 400
    format_check = None
    # A number the validator refuses is shown to the reviewer, not raised.
    with domain_errors(show=False) as refused:
        format_check = check_number(document.kind, document.number)
    format_error = refused.message or None
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
