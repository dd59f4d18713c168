"""Demo data for the referral network: three partner banks, officers, and referrals in
every state across two chapters (called by `flask seed-demo` through init_app).

Every referral goes through the real services, as a lead, a member and a bank officer
would take it: open, consent, endorse and send (quota and pre-screen apply), then the bank's
steps. Only the dates are moved back afterwards, so the history reads like months of use.
"""

from datetime import date, timedelta

from sqlalchemy import select

from marketplace.businesses.models import Business
from marketplace.chapters.models import Chapter
from marketplace.core.timeutil import jakarta_today, utcnow
from marketplace.extensions import db
from referrals import services
from referrals.models import Bank, Referral
from referrals.services import tokens

BANKS = [
    ("bri", "Bank Rakyat Indonesia (BRI)", True, False, ["super_mikro", "mikro", "kecil"]),
    ("bank-jakarta", "Bank Jakarta", True, True, ["super_mikro", "mikro", "kecil"]),
    ("bsi", "Bank Syariah Indonesia (BSI)", False, True, ["super_mikro", "mikro", "kecil"]),
]

# business name -> [(status, bank slug, scheme, amount, days ago)]: closed ones first, since
# a member has one referral in progress at a time (the pre-screen says so).
PLAN = {
    "Batik Bu Sari": [
        ("disbursed", "bri", "mikro", 25_000_000, 200),
        ("rejected", "bri", "mikro", 40_000_000, 120),
        # An additional KUR at the bank that disbursed the first one: the pre-screen allows it
        # and shows the earlier BRI KUR (another bank would be refused while it runs).
        ("under_review", "bri", "mikro", 50_000_000, 6),
    ],
    "Keripik Mak Nyak": [("draft", "bsi", "super_mikro", 10_000_000, 1)],
    "Kerajinan Rotan Pak Darto": [
        ("approved", "bank-jakarta", "super_mikro", 8_000_000, 60),
        ("info_requested", "bank-jakarta", "mikro", 30_000_000, 9),
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
PURPOSE = "Modal kerja: bahan baku dan alat produksi untuk pesanan bazar."
RECOMMENDATION = (
    "Anggota aktif ikut pendampingan, buku kas rapi, penjualan stabil dan naik menjelang Lebaran."
)


def seed_banks(make_user) -> list[tuple[str, str, str]]:
    """Banks serving the demo chapters, one officer each; returns login lines."""
    logins = []
    chapters = db.session.scalars(
        select(Chapter).where(Chapter.slug.in_(("tebet", "cakung", "menteng")))
    ).all()
    for slug, name, conventional, sharia, schemes in BANKS:
        bank = db.session.scalar(select(Bank).where(Bank.slug == slug))
        if bank is None:
            # admin=None: the audit row names no person, the demo data made the bank.
            bank = services.create_bank(
                name=name,
                slug=slug,
                conventional=conventional,
                sharia=sharia,
                schemes=schemes,
                chapter_ids=[c.id for c in chapters],
                admin=None,
            )
        officer = make_user(f"petugas.{slug}@bank.test", f"Petugas {name}")
        if not any(o.user_id == officer.id for o in bank.officers):
            services.add_officer(bank, officer.email, admin=None)
            db.session.expire(bank, ["officers"])  # the service adds the row, not to the list
        logins.append((f"bank officer ({name})", officer.email, f"/bank/{slug}/"))
    db.session.flush()
    return logins


def seed_referrals() -> None:
    if db.session.scalar(select(Referral.id).limit(1)):
        return
    banks = {b.slug: b for b in db.session.scalars(select(Bank))}
    businesses = {
        b.name: b for b in db.session.scalars(select(Business).where(Business.name.in_(PLAN)))
    }
    # Oldest first, each to its end before the next: a lead's quota grows with approvals.
    steps = sorted(
        (
            (days_ago, name, status, bank_slug, scheme, amount)
            for name, plan in PLAN.items()
            for status, bank_slug, scheme, amount, days_ago in plan
        ),
        reverse=True,
    )
    for days_ago, name, status, bank_slug, scheme, amount in steps:
        business = businesses.get(name)
        if business is None or not business.chapter.leads:
            continue
        lead = business.chapter.leads[0].user
        if "send" in PATHS[status]:
            _get_ready(business, lead)
        _walk(business, lead, banks[bank_slug], status, scheme, amount, days_ago)
    db.session.flush()


def _walk(business, lead, bank, status, scheme, amount, days_ago) -> None:
    """One referral, from the lead's draft to ``status``, through the services."""
    owner, officer = business.owner, bank.officers[0].user
    sharia = bank.sharia and not bank.conventional
    data = services.ReferralInput(
        bank_id=bank.id,
        scheme=scheme,
        amount_idr=amount,
        tenor_months=24,
        purpose=PURPOSE,
        sharia=sharia,
        no_other_credit=True,
    )
    referral = services.open_referral(business.chapter, business.id, data, lead=lead)
    for action in PATHS[status]:
        if action == "consent":
            services.give_consent(
                owner, referral, agreed=True, ip="127.0.0.1", no_other_credit=True
            )
        elif action == "send":
            services.endorse_and_send(referral, lead=lead, recommendation=RECOMMENDATION)
        elif action == "withdraw":
            services.withdraw(referral, actor=owner, role="sme_owner")
        elif action == "answer_info":
            services.answer_info(owner, referral, "Sudah saya kirim lewat WhatsApp ke petugas.")
        elif action == "request_info":
            services.bank_action(
                referral,
                action,
                actor=officer,
                note="Mohon foto nota pembelian bahan baku 3 bulan terakhir.",
            )
        elif action == "approve":
            rate = 600 if scheme != "super_mikro" else 300
            services.bank_action(
                referral, action, actor=officer, amount_idr=amount, tenor_months=24, rate_bp=rate
            )
        elif action == "reject":
            services.bank_action(referral, action, actor=officer, reason="plafon_terlampaui")
        else:
            services.bank_action(referral, action, actor=officer)
    # The services stamp "now"; the demo's history is spread over months.
    when = utcnow() - timedelta(days=days_ago)
    referral.created_at = when
    if referral.sent_at is not None:
        referral.sent_at = when + timedelta(hours=2)
    if referral.acknowledged_at is not None:
        referral.acknowledged_at = when + timedelta(days=1)
    if referral.decided_at is not None:
        referral.decided_at = when + timedelta(days=5 if status == "rejected" else 6)
        # The decision's day (a day later for the disbursement), never in the future: a
        # disbursed KUR shows its date in later pre-screens.
        later = referral.decided_at + timedelta(days=1 if status == "disbursed" else 0)
        referral.status_changed_at = min(later, utcnow())
    db.session.flush()


def _get_ready(business, lead) -> None:
    """What the pre-screen asks of a member the demo shows as referred, done the way a
    member does it: the lead records attendance at recent sessions, the owner keeps books."""
    from marketplace.ledger import services as ledger
    from marketplace.ledger.services import months_with_books
    from marketplace.mentoring import services as mentoring
    from marketplace.mentoring.models import MentoringSession
    from referrals.services.eligibility import months_back

    chapter = business.chapter
    now = utcnow()
    recent = db.session.scalars(
        select(MentoringSession)
        .where(
            MentoringSession.chapter_id == chapter.id,
            MentoringSession.cancelled.is_(False),
            MentoringSession.starts_at >= now - timedelta(days=89),
            MentoringSession.starts_at < now,
        )
        .order_by(MentoringSession.starts_at.desc())
        .limit(chapter.mentoring_sessions_required)
    ).all()
    for session in recent:
        present = {a.business_id for a in session.attendance}
        if business.id not in present:
            mentoring.record_attendance(chapter, session.id, [*present, business.id], actor=lead)
    months = months_back(jakarta_today(), chapter.books_months_required)
    kept = months_with_books([business.id], date(*months[-1], 1)).get(business.id, set())
    for year, month in months:
        if (year, month) not in kept:
            # In the owner's weekly rhythm: books kept counts weeks with entries (ledger).
            for day in (2, 9, 16, 23):
                ledger.add_entry(
                    business,
                    kind="manual_income",
                    category="penjualan_offline",
                    amount_idr=375_000,
                    occurred_on=date(year, month, day),
                    note="Penjualan di bazar kelurahan",
                    actor=business.owner,
                )


def seed_tokens() -> list[tuple[str, str, str]]:
    """A fresh demo API token per bank (earlier demo tokens are revoked): shown once."""
    lines = []
    for bank in db.session.scalars(select(Bank).order_by(Bank.slug)):
        tokens.revoke_labelled(bank, "demo")
        _row, token = tokens.issue_token(bank, label="demo")
        lines.append((f"bank API token ({bank.slug})", token, "/api/v1/bank/referrals"))
    return lines


def seed_assignments() -> None:
    """Every other open referral of each bank assigned to its demo officer (issue 14), so
    the inbox's "assigned to me" and "not assigned" filters both show rows."""
    from referrals.services import inbox

    for bank in db.session.scalars(select(Bank).order_by(Bank.slug)):
        officers = inbox.officers_of(bank)
        if not officers:
            continue
        f, _errors = inbox.parse_filter({})
        for i, referral in enumerate(inbox.export_rows(bank, f)):
            if i % 2 == 0:
                inbox.assign(referral, officers[0].id, actor=officers[0])
    db.session.commit()


def seed(make_user) -> list[tuple[str, str, str]]:
    logins = seed_banks(make_user)
    seed_referrals()
    seed_assignments()
    return logins + seed_tokens()
