"""Bahasa Indonesia by default, English on request, and no string left untranslated."""

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
EN_PO = ROOT / "marketplace/translations/en/LC_MESSAGES/messages.po"


def test_pages_are_in_indonesian_by_default(client):
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="id">' in page
    assert "Kata sandi" in page


def test_the_language_switch_gives_english_and_returns_to_the_page(client):
    response = client.get("/lang/en?next=/login")
    assert response.headers["Location"] == "/login"
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "Password" in page
    assert "Kata sandi" not in page


def test_domain_errors_follow_the_language(csrf_client, db):
    csrf_client.get("/lang/en")
    response = csrf_client.post("/login", data={"email": "x@example.com", "password": "nope"})
    assert "Wrong email/WhatsApp number or password." in response.get_data(as_text=True)
    assert "kata sandi salah" not in response.get_data(as_text=True)


def test_the_language_switch_refuses_an_offsite_next(client):
    assert client.get("/lang/en?next=//evil.example").headers["Location"] == "/"


def test_every_ui_string_has_an_english_translation(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "--no-location",
            "-o",
            str(pot),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as fh:
        wanted = {m.id for m in read_po(fh) if m.id}
    with EN_PO.open("rb") as fh:
        catalog = read_po(fh)
    translated = {m.id for m in catalog if m.id and m.string and "fuzzy" not in m.flags}
    missing = sorted(wanted - translated)
    assert not missing, f"{len(missing)} strings lack English (run `make i18n`): {missing[:10]}"


def test_lazy_messages_are_text_on_a_page_so_names_inside_them_are_escaped(app, client, db):
    """Flask-Babel's lazy strings declare themselves HTML-safe; ours are text: "Fashion &
    pakaian" is written "&amp;" and a name interpolated into a message cannot become markup."""
    from flask import render_template_string
    from flask_babel import lazy_gettext

    with app.test_request_context():
        message = lazy_gettext("Stok %(name)s tinggal %(n)d.", name="<b>Kain</b>", n=3)
        assert render_template_string("{{ m }}", m=message) == (
            "Stok &lt;b&gt;Kain&lt;/b&gt; tinggal 3."
        )
    assert "Fashion &amp; pakaian" in client.get("/").get_data(as_text=True)
