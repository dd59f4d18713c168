"""Demo data for the referral network: three partner banks, officers, and referrals in
every state across two chapters (called by `flask seed-demo` through init_app)."""

from datetime import timedelta

from sqlalchemy import select

from marketplace.businesses.models import Business
from marketplace.chapters.models import Chapter
from marketplace.core.statemachine import apply_transition
from marketplace.core.timeutil import utcnow
from marketplace.extensions import db
from referrals.models import Bank, BankOfficer, ConsentReceipt, Referral
from referrals.services.consent import CONSENT_VERSION, RETENTION_DAYS, SHARED_FIELDS, consent_text

BANKS = [
    ("bri", "Bank Rakyat Indonesia (BRI)", True, False, ["super_mikro", "mikro", "kecil"]),
    ("bank-jakarta", "Bank Jakarta", True, True, ["super_mikro", "mikro", "kecil"]),
    ("bsi", "Bank Syariah Indonesia (BSI)", False, True, ["super_mikro", "mikro", "kecil"]),
]

# business name -> [(status, bank slug, scheme, amount, days ago)]: closed ones first.
PLAN = {
    "Batik Bu Sari": [
        ("disbursed", "bri", "mikro", 25_000_000, 200),
        ("under_review", "bank-jakarta", "mikro", 50_000_000, 6),
    ],
    "Keripik Mak Nyak": [
        ("rejected", "bri", "mikro", 75_000_000, 120),
        ("draft", "bsi", "super_mikro", 10_000_000, 1),
    ],
    "Kerajinan Rotan Pak Darto": [
        ("approved", "bank-jakarta", "super_mikro", 8_000_000, 60),
        ("info_requested", "bri", "mikro", 30_000_000, 9),
    ],
    "Lestari Kosmetik Alami": [("acknowledged", "bsi", "mikro", 20_000_000, 4)],
    "Abon Ikan Bu Ros": [("sent", "bri", "super_mikro", 5_000_000, 5)],
    "Dapur Sambal Ijo Bu Endah": [
        ("withdrawn", "bank-jakarta", "super_mikro", 5_000_000, 40),
        ("consented", "bank-jakarta", "super_mikro", 7_000_000, 2),
    ],
}

# the actions that lead from draft to each state
PATHS = {
    "draft": [],
    "consented": ["consent"],
    "sent": ["consent", "send"],
    "acknowledged": ["consent", "send", "acknowledge"],
    "info_requested": ["consent", "send", "acknowledge", "request_info"],
    "under_review": ["consent", "send", "acknowledge", "request_info", "answer_info"],
    "approved": ["consent", "send", "acknowledge", "approve"],
    "disbursed": ["consent", "send", "acknowledge", "approve", "disburse"],
    "rejected": ["consent", "send", "acknowledge", "reject"],
    "withdrawn": ["consent", "withdraw"],
}
ROLE = {"consent": "sme_owner", "answer_info": "sme_owner", "send": "lead", "withdraw": "sme_owner"}


def seed_banks(make_user) -> list[tuple[str, str, str]]:
    """Banks serving the demo chapters, one officer each; returns login lines."""
    logins = []
    chapters = db.session.scalars(
        select(Chapter).where(Chapter.slug.in_(("tebet", "cakung", "menteng")))
    ).all()
    for slug, name, conventional, sharia, schemes in BANKS:
        bank = db.session.scalar(select(Bank).where(Bank.slug == slug))
        if bank is None:
            bank = Bank(
                slug=slug,
                name=name,
                conventional=conventional,
                sharia=sharia,
                schemes=schemes,
                chapters=list(chapters),
            )
            db.session.add(bank)
            db.session.flush()
        officer = make_user(f"petugas.{slug}@bank.test", f"Petugas {name}")
        if not any(o.user_id == officer.id for o in bank.officers):
            bank.officers.append(BankOfficer(user_id=officer.id))
        logins.append((f"bank officer ({name})", officer.email, f"/bank/{slug}/"))
    db.session.flush()
    return logins


def seed_referrals() -> None:
    if db.session.scalar(select(Referral.id).limit(1)):
        return
    banks = {b.slug: b for b in db.session.scalars(select(Bank))}
    now = utcnow()
    for business in db.session.scalars(select(Business).where(Business.name.in_(list(PLAN)))):
        lead = business.chapter.leads[0].user if business.chapter.leads else None
        if lead is None:
            continue
        for status, bank_slug, scheme, amount, days_ago in PLAN[business.name]:
            bank = banks[bank_slug]
            when = now - timedelta(days=days_ago)
            referral = Referral(
                business_id=business.id,
                chapter_id=business.chapter_id,
                bank_id=bank.id,
                lead_id=lead.id,
                scheme=scheme,
                sharia=bank.sharia and not bank.conventional,
                amount_idr=amount,
                tenor_months=24,
                no_other_credit=True,
                purpose="Modal kerja: bahan baku dan alat produksi untuk pesanan bazar.",
                created_at=when,
            )
            db.session.add(referral)
            db.session.flush()
            _walk(referral, PATHS[status], lead, business, bank, when)
    db.session.flush()


def _walk(referral, actions, lead, business, bank, when):
    officer = bank.officers[0].user if bank.officers else None
    for action in actions:
        changes = {}
        if action == "consent":
            text, digest = consent_text(referral)
            db.session.add(
                ConsentReceipt(
                    referral_id=referral.id,
                    user_id=business.owner_id,
                    bank_id=bank.id,
                    text_version=CONSENT_VERSION,
                    text_hash=digest,
                    fields=[str(f) for f in SHARED_FIELDS],
                    purpose="Pra-penilaian dan pengajuan KUR",
                    retention_days=RETENTION_DAYS,
                    ip="127.0.0.1",
                )
            )
        elif action == "send":
            changes = {
                "sent_at": when + timedelta(hours=2),
                "recommendation": "Anggota aktif ikut pendampingan, buku kas rapi, "
                "penjualan stabil dan naik menjelang Lebaran.",
            }
        elif action == "acknowledge":
            changes = {"acknowledged_at": when + timedelta(days=1)}
        elif action == "request_info":
            changes = {"info_request": "Mohon foto nota pembelian bahan baku 3 bulan terakhir."}
        elif action == "answer_info":
            changes = {"info_answer": "Sudah saya kirim lewat WhatsApp ke petugas."}
        elif action == "approve":
            changes = {
                "approved_amount_idr": referral.amount_idr,
                "approved_tenor_months": 24,
                "approved_rate_bp": 600 if referral.scheme != "super_mikro" else 300,
                "decided_at": when + timedelta(days=6),
            }
        elif action == "reject":
            changes = {"reject_reason": "plafon_terlampaui", "decided_at": when + timedelta(days=5)}
        role = ROLE.get(action, "bank_officer")
        actor = {"sme_owner": business.owner, "lead": lead}.get(role, officer)
        apply_transition(referral, action, actor=actor, role=role, **changes)


def seed_tokens() -> list[tuple[str, str, str]]:
    """A fresh demo API token per bank (earlier demo tokens are revoked): shown once."""
    from referrals.models import BankToken
    from referrals.services.tokens import issue_token

    lines = []
    for bank in db.session.scalars(select(Bank).order_by(Bank.slug)):
        for old in db.session.scalars(
            select(BankToken).where(
                BankToken.bank_id == bank.id,
                BankToken.label == "demo",
                BankToken.revoked_at.is_(None),
            )
        ):
            old.revoked_at = utcnow()
        _row, token = issue_token(bank, label="demo")
        lines.append((f"bank API token ({bank.slug})", token, "/api/v1/bank/referrals"))
    return lines


def seed(make_user) -> list[tuple[str, str, str]]:
    logins = seed_banks(make_user)
    seed_referrals()
    return logins + seed_tokens()
