"""The document review page, a web component the legality feature exports to the consoles
that host it (the lead console and the admin area: one rule, two scopes). Not a blueprint.

The page shows the document itself (an image scaled down, or a PDF's first page rendered:
``preview.py``) beside its typed number, its format check and a link to the issuer's public
check, and takes the decision on the same page. A refusal (reject, revoke) is irreversible
for the owner, so it goes through a "check your answers" step first: the first POST shows
the decision and the reason; only the POST that carries ``confirmed=1`` records it."""

from flask import flash, redirect, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from marketplace.businesses.forms import ReviewForm
from marketplace.core.views import domain_errors
from marketplace.legality import preview
from marketplace.legality.services import check_number, review_document

# Decisions the owner cannot undo: confirmed first.
CONFIRMED_ACTIONS = ("reject", "revoke")


def review_page(
    document, *, role: str, done_url: str, file_url: str, preview_url: str = "", **context
):
    """GET shows the document beside its typed number and format check; POST decides.
    The calling view is a ``@unit_of_work``: it commits the decision."""
    form = ReviewForm()
    status = 200
    if form.validate_on_submit():
        action = form.action.data
        needs_confirmation = action in CONFIRMED_ACTIONS and request.form.get("confirmed") != "1"
        if needs_confirmation and (form.note.data or "").strip():
            return render_template(
                "legality/review_confirm.html",
                document=document,
                form=form,
                done_url=done_url,
                **context,
            )
        if needs_confirmation:
            form.note.errors = [_("Tulis alasannya untuk pemilik usaha.")]
            status = 400
        else:
            with domain_errors(form, field="note"):
                review_document(
                    document, action, actor=current_user, role=role, note=form.note.data
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
        preview_url=preview_url if preview_url and preview.available(document) else "",
        issuer=preview.issuer_check(document.kind),
        done_url=done_url,
        **context,
    ), status
