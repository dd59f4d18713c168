"""One scoped loader per tenant kind (issue 10): chapter (core/tenancy), owner
(businesses/scope), and the unit of work's refusals (core/views.domain_errors)."""

import pytest
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import StringField

from marketplace.businesses.scope import (
    owner_business,
    owner_business_or_404,
    owner_document_or_404,
    owner_product_or_404,
)
from marketplace.catalog.models import Product
from marketplace.core.errors import NotFound, OutOfScope, ValidationFailed
from marketplace.core.extension import registry
from marketplace.core.tenancy import in_chapter, scoped_select
from marketplace.core.views import domain_errors
from tests.factories import make_document, make_product


def test_chapter_scope_reaches_products_through_their_business(world, db):
    tebet_product = make_product(business=world.biz_tebet)
    make_product(business=world.biz_cakung)
    assert in_chapter(Product, tebet_product.id, world.tebet) == tebet_product
    listed = db.session.scalars(scoped_select(Product, world.tebet)).all()
    assert listed == [tebet_product]


def test_chapter_scope_raises_out_of_scope_for_another_chapters_product(world, db):
    product = make_product(business=world.biz_tebet)
    with pytest.raises(OutOfScope):
        in_chapter(Product, product.id, world.cakung)


def test_owner_scope_returns_404_for_another_owners_product_and_document(world, db):
    product = make_product(business=world.biz_tebet)
    document = make_document(business=world.biz_tebet, kind="pirt", products=[product])
    assert owner_product_or_404(world.biz_tebet, product.id) == product
    assert owner_document_or_404(world.biz_tebet, document.id) == document
    with pytest.raises(NotFound):
        owner_product_or_404(world.biz_cakung, product.id)
    with pytest.raises(NotFound):
        owner_document_or_404(world.biz_cakung, document.id)


def test_owner_scope_returns_404_for_a_user_without_a_business(world, db):
    assert owner_business(world.consumer_a) is None
    assert owner_business(world.biz_tebet.owner) == world.biz_tebet
    with pytest.raises(NotFound):
        owner_business_or_404(world.consumer_a)


@pytest.mark.fresh_app  # it removes a scope resolver from the app
def test_lead_area_returns_404_when_no_feature_says_who_leads_a_chapter(
    app, client, login_as, world
):
    login_as(client, world.lead_tebet)
    assert client.get("/lead/tebet/").status_code == 200
    registry(app).scope_resolvers.pop("lead_chapter")
    assert client.get("/lead/tebet/").status_code == 404


class NameForm(FlaskForm):
    class Meta:
        csrf = False

    name = StringField()
    note = StringField()


def test_domain_errors_puts_a_refusal_on_the_field_it_names(app):
    with app.test_request_context(method="POST", data={"name": "x"}):
        form = NameForm()
        with domain_errors(form) as refused:
            raise ValidationFailed("Nama terlalu pendek.", field="name")
        assert refused
        assert form.name.errors == ["Nama terlalu pendek."]
        assert form.form_errors == []


def test_domain_errors_puts_an_unnamed_refusal_on_the_default_field_or_the_form(app):
    with app.test_request_context(method="POST"):
        on_note, on_form = NameForm(), NameForm()
        with domain_errors(on_note, field="note"):
            raise ValidationFailed("Ditolak.")
        with domain_errors(on_form):
            raise ValidationFailed("Ditolak.")
        assert on_note.note.errors == ["Ditolak."]
        assert on_form.form_errors == ["Ditolak."]
        assert on_form.errors  # the view's "400 if form.errors" still sees it


def test_domain_errors_flashes_without_a_form_and_lets_not_found_through(app):
    from flask import get_flashed_messages

    with app.test_request_context(method="POST"):
        with domain_errors():
            raise ValidationFailed("Stok habis.")
        assert get_flashed_messages(with_categories=True) == [("error", "Stok habis.")]
        with pytest.raises(NotFound), domain_errors():
            raise NotFound()


def test_domain_errors_rolls_back_what_the_refused_service_did(world, db, app):
    with app.test_request_context(method="POST"):
        with domain_errors(show=False) as refused:
            world.biz_tebet.name = "Diubah lalu ditolak"
            db.session.flush()
            raise ValidationFailed("Ditolak.")
        assert refused.message == "Ditolak."
        name = db.session.scalar(
            select(type(world.biz_tebet).name).where(type(world.biz_tebet).id == world.biz_tebet.id)
        )
        assert name == "Keripik Bu Tini"
