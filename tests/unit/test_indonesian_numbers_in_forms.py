"""Every money and rate field of every form takes numbers as Indonesians write them (issue 14
item 3): found by walking the WTForms classes, so a new form cannot slip past."""

import importlib
import pkgutil
from decimal import Decimal

import pytest
from werkzeug.datastructures import MultiDict
from wtforms import Form as PlainForm
from wtforms.fields.core import UnboundField

import marketplace
from marketplace.core.forms import Form, PercentField, RupiahField

try:
    import referrals
except ImportError:  # the host alone
    referrals = None

SKIP = (".demo", ".migrations", "versions")


def _import_everything() -> None:
    for package in (marketplace, referrals):
        if package is None:
            continue
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            if not any(part in info.name for part in SKIP):
                importlib.import_module(info.name)


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _is_money(name: str) -> bool:
    return name.endswith("_idr") or name in ("price", "amount", "harga")


def _is_rate(name: str) -> bool:
    return name.endswith(("_percent", "_bp")) or name in ("rate", "percent")


def _fields():
    _import_everything()
    seen = {}
    for form in _subclasses(Form):
        if not form.__module__.startswith(("marketplace", "referrals")):
            continue
        for name in dir(form):
            unbound = getattr(form, name, None)
            if isinstance(unbound, UnboundField) and (_is_money(name) or _is_rate(name)):
                seen[f"{form.__module__}.{form.__name__}.{name}"] = (name, unbound)
    return seen


FIELDS = _fields()
MONEY = {k: v for k, v in FIELDS.items() if _is_money(v[0])}
RATES = {k: v for k, v in FIELDS.items() if _is_rate(v[0])}


def _probe(name, unbound, typed):
    probe_form = type("Probe", (PlainForm,), {name: unbound})
    form = probe_form(formdata=MultiDict({name: typed}))
    field = form[name]
    field.validate(form)
    return field


def test_the_walk_finds_the_money_and_rate_fields():
    names = {key.rsplit(".", 1)[-1] for key in FIELDS}
    assert {"price_idr", "amount_idr"} <= names
    if referrals is not None:
        assert "rate_percent" in names
        assert "min_idr" in names


@pytest.mark.parametrize("key", sorted(MONEY))
def test_every_money_field_is_the_one_rupiah_field(key):
    name, unbound = MONEY[key]
    assert issubclass(unbound.field_class, RupiahField), key


@pytest.mark.parametrize("key", sorted(RATES))
def test_every_rate_field_is_the_one_percent_field(key):
    name, unbound = RATES[key]
    assert issubclass(unbound.field_class, PercentField), key


@pytest.mark.parametrize("typed", ["65.000", "Rp 65.000", "65000", "Rp65.000"])
@pytest.mark.parametrize("key", sorted(MONEY))
def test_money_fields_accept_indonesian_amounts(app, key, typed):
    name, unbound = MONEY[key]
    with app.test_request_context():
        field = _probe(name, unbound, typed)
        assert field.data == 65_000, (key, field.errors)
        assert not field.errors, (key, [str(e) for e in field.errors])
        html = str(field())
        assert 'inputmode="numeric"' in html
        assert 'type="number"' not in html


@pytest.mark.parametrize("key", sorted(MONEY))
def test_money_fields_refuse_65rb_with_a_clear_message(app, key):
    name, unbound = MONEY[key]
    with app.test_request_context():
        field = _probe(name, unbound, "65rb")
        assert field.data is None
        assert any("bukan 65rb" in str(error) for error in field.errors), key


@pytest.mark.parametrize("typed", ["6,5", "6.5", "6,5 %", "6,50"])
@pytest.mark.parametrize("key", sorted(RATES))
def test_rate_fields_accept_indonesian_decimals(app, key, typed):
    name, unbound = RATES[key]
    with app.test_request_context():
        field = _probe(name, unbound, typed)
        assert field.data == Decimal("6.5"), (key, field.errors)
        assert not field.errors
        html = str(field())
        assert 'inputmode="decimal"' in html
        assert 'type="number"' not in html


@pytest.mark.parametrize("key", sorted(RATES))
def test_rate_fields_refuse_words_with_a_clear_message(app, key):
    name, unbound = RATES[key]
    with app.test_request_context():
        field = _probe(name, unbound, "enam koma lima")
        assert field.data is None
        assert any("contoh 6 atau 6,5" in str(error) for error in field.errors), key
