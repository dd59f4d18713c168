"""Issue 14's account pages at 360x640 with axe-core: registering with only a WhatsApp
number and its code, logging in by number, both recovery paths, and the admin's user
tools (search, a user's page, the check-your-answers step before disabling)."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.mentoring.models import OutboxEmail
from marketplace.notifications.models import OutboxPhoneMessage
from tests import factories
from tests.browser.conftest import (
    assert_no_horizontal_scroll,
    assert_no_serious_axe_violations,
    open_menu,
)

pytestmark = pytest.mark.browser

PASSWORD = "kata-sandi-rahasia-123"
NEW_PASSWORD = "sandi-baru-yang-kuat-9"


def check_page(page) -> None:
    assert_no_horizontal_scroll(page)
    assert_no_serious_axe_violations(page)


def last_code(to: str) -> str:
    db.session.expire_all()
    body = db.session.scalars(
        select(OutboxPhoneMessage.body)
        .where(OutboxPhoneMessage.to == to)
        .order_by(OutboxPhoneMessage.id.desc())
    ).first()
    return re.search(r"\b(\d{6})\b", body).group(1)


def log_in(page, live_server, identifier, password):
    page.goto(live_server("/login"))
    form = page.locator("main form")
    form.get_by_label("E-mail atau nomor WhatsApp").fill(identifier)
    form.get_by_label("Kata sandi", exact=True).fill(password)
    form.get_by_role("button", name="Masuk").click()


def test_an_owner_with_only_a_whatsapp_number_registers_verifies_and_recovers(page, live_server):
    page.goto(live_server("/register"))
    check_page(page)
    form = page.locator("main form")
    form.get_by_label("Nama lengkap").fill("Ibu Sumarni")
    form.get_by_label("Nomor WhatsApp").fill("0812 3456 7890")
    form.get_by_label(re.compile(r"^Kata sandi \(minimal")).fill(PASSWORD)
    form.get_by_label("Ulangi kata sandi").fill(PASSWORD)
    form.get_by_role("button", name="Daftar").click()

    expect(page).to_have_url(live_server("/verify-phone"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Masukkan kode")
    check_page(page)
    page.get_by_label("Kode 6 angka").fill("000000")
    page.get_by_role("button", name="Verifikasi").click()
    expect(page.locator("main")).to_contain_text("Kode salah")
    check_page(page)
    page.get_by_label("Kode 6 angka").fill(last_code("+6281234567890"))
    page.get_by_role("button", name="Verifikasi").click()
    expect(page).to_have_url(live_server("/"))
    open_menu(page).get_by_role("button", name="Keluar").click()

    # Forgot the password: a code to the phone.
    page.goto(live_server("/login"))
    page.get_by_role("link", name="Lupa kata sandi?").click()
    expect(page).to_have_url(live_server("/forgot"))
    check_page(page)
    page.get_by_label("E-mail atau nomor WhatsApp").fill("+62 812-3456-7890")
    page.get_by_role("button", name="Kirim").click()
    expect(page).to_have_url(live_server("/forgot/code"))
    check_page(page)
    form = page.locator("main form")
    form.get_by_label("Kode 6 angka").fill(last_code("+6281234567890"))
    form.get_by_label(re.compile(r"^Kata sandi baru")).fill(NEW_PASSWORD)
    form.get_by_label("Ulangi kata sandi baru").fill(NEW_PASSWORD)
    form.get_by_role("button", name="Simpan kata sandi baru").click()
    expect(page).to_have_url(live_server("/login"))
    check_page(page)

    log_in(page, live_server, "081234567890", NEW_PASSWORD)
    expect(open_menu(page).get_by_role("button", name="Keluar")).to_be_visible()


def test_recovery_by_an_email_link(page, live_server):
    factories.make_user(email="budi@example.com", name="Budi")
    page.goto(live_server("/forgot"))
    page.get_by_label("E-mail atau nomor WhatsApp").fill("budi@example.com")
    page.get_by_role("button", name="Kirim").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Periksa e-mail Anda")
    check_page(page)
    db.session.expire_all()
    body = db.session.scalars(
        select(OutboxEmail.body).where(OutboxEmail.to == "budi@example.com")
    ).first()
    path = re.search(r"https?://[^/]+(/reset/\S+)", body).group(1)
    page.goto(live_server(path))
    check_page(page)
    form = page.locator("main form")
    form.get_by_label(re.compile(r"^Kata sandi baru")).fill(NEW_PASSWORD)
    form.get_by_label("Ulangi kata sandi baru").fill(NEW_PASSWORD)
    form.get_by_role("button", name="Simpan kata sandi baru").click()
    expect(page).to_have_url(live_server("/login"))
    # The link works once.
    page.goto(live_server(path))
    expect(page.get_by_role("alert")).to_contain_text("sudah dipakai")
    check_page(page)


def test_admin_finds_a_user_and_confirms_before_disabling(page, live_server):
    factories.make_user(email="admin@example.com", name="Admin", password=PASSWORD, is_admin=True)
    member = factories.make_user(name="Ibu Sumarni", phone="081234567890")
    log_in(page, live_server, "admin@example.com", PASSWORD)
    page.goto(live_server("/admin/users/"))
    check_page(page)
    page.get_by_label("Nama, e-mail atau nomor WhatsApp").fill("0812-3456-7890")
    page.get_by_role("button", name="Cari").click()
    page.get_by_role("link", name="Ibu Sumarni").click()
    expect(page).to_have_url(live_server(f"/admin/users/{member.id}"))
    check_page(page)
    page.get_by_role("link", name="Nonaktifkan akun").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Nonaktifkan akun Ibu Sumarni")
    check_page(page)
    page.get_by_role("button", name="Ya, nonaktifkan").click()
    expect(page).to_have_url(live_server(f"/admin/users/{member.id}"))
    expect(page.get_by_role("button", name="Aktifkan akun")).to_be_visible()
    check_page(page)
