"""Partner-bank administration: banks, chapters served, officers and the KUR rules.

Admin actions (the admin passed explicitly, audited), enforced here for every channel.
"""

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from marketplace.accounts.administration import account_for_role
from marketplace.chapters.models import Chapter
from marketplace.core import audit
from marketplace.core.errors import NotFound, ValidationFailed
from marketplace.core.money import MAX_LOAN_IDR, require_amount
from marketplace.core.pagination import PER_PAGE, Page, keyset_page
from marketplace.extensions import db
from referrals.models import SCHEMES, Bank, BankOfficer, KurScheme, bank_chapter

# Static paths of the admin blueprint; a bank with one of these slugs could not be reached.
RESERVED_SLUGS = {"new", "kur", "figures"}


def create_bank(
    *, name: str, slug: str, conventional: bool, sharia: bool, schemes, chapter_ids, admin
) -> Bank:
    """A partner bank with its variants, schemes and chapters (slug unique, not reserved)."""
    slug = slug.strip().lower()
    if slug in RESERVED_SLUGS or db.session.scalar(select(Bank.id).where(Bank.slug == slug)):
        raise ValidationFailed(_l("Kode alamat ini sudah dipakai."), field="slug")
    bank = Bank(
        name=name.strip(),
        slug=slug,
        conventional=bool(conventional),
        sharia=bool(sharia),
        schemes=[s for s in schemes if s in SCHEMES],
        chapters=_chapters(chapter_ids),
    )
    db.session.add(bank)
    _flush_unique(_l("Kode alamat ini sudah dipakai."), "slug")  # a concurrent create
    audit.record("bank.created", actor=admin, role="admin", bank_id=bank.id, target=bank)
    return bank


def set_chapters(bank: Bank, chapter_ids, *, admin) -> None:
    bank.chapters = _chapters(chapter_ids)
    db.session.flush()
    audit.record(
        "bank.chapters_set",
        actor=admin,
        role="admin",
        bank_id=bank.id,
        target=bank,
        chapters=sorted(c.id for c in bank.chapters),
    )


def _chapters(chapter_ids) -> list[Chapter]:
    ids = {int(i) for i in chapter_ids or ()}
    return list(db.session.scalars(select(Chapter).where(Chapter.id.in_(ids)))) if ids else []


def add_officer(bank: Bank, identifier: str, *, admin) -> BankOfficer:
    """Make an existing account, named by e-mail or WhatsApp number (a phone-only account
    too), an officer of ``bank`` (the admin page, the CLI and the seed)."""
    user = account_for_role(identifier)
    if any(o.user_id == user.id for o in bank.officers):
        raise ValidationFailed(_l("Akun ini sudah menjadi petugas bank ini."), field="email")
    officer = BankOfficer(bank_id=bank.id, user_id=user.id)
    db.session.add(officer)
    db.session.flush()
    audit.record(
        "bank.officer_added",
        actor=admin,
        role="admin",
        bank_id=bank.id,
        target=officer,
        user_id=user.id,
    )
    return officer


def remove_officer(bank: Bank, officer_id: int, *, admin) -> None:
    officer = db.session.scalar(
        select(BankOfficer).where(BankOfficer.id == officer_id, BankOfficer.bank_id == bank.id)
    )
    if officer is None:
        raise NotFound()
    audit.record(
        "bank.officer_removed",
        actor=admin,
        role="admin",
        bank_id=bank.id,
        target=officer,
        user_id=officer.user_id,
    )
    bank.officers.remove(officer)
    db.session.flush()


def update_scheme(scheme: KurScheme, *, admin, **values) -> None:
    """Edit one KUR rules row; making it current retires the other rows of its scheme."""
    for field in ("min_idr", "max_idr", "no_collateral_up_to_idr", "npwp_above_idr"):
        if field in values:
            require_amount(values[field], maximum=MAX_LOAN_IDR, field=field)
    for key, value in values.items():
        setattr(scheme, key, value)
    if values.get("is_current"):
        db.session.execute(
            update(KurScheme)
            .where(KurScheme.code == scheme.code, KurScheme.id != scheme.id)
            .values(is_current=False)
        )
    # (code, effective_from) is unique: two rows of one scheme cannot start the same day.
    _flush_unique(_l("Skema ini sudah punya aturan dengan tanggal itu."), "effective_from")
    audit.record("kur_scheme.updated", actor=admin, role="admin", target=scheme, code=scheme.code)


def _flush_unique(message, field: str) -> None:
    """Flush; a unique constraint the database refuses becomes a refusal on ``field`` (the
    caller's unit of work rolls back)."""
    try:
        db.session.flush()
    except IntegrityError:
        raise ValidationFailed(message, field=field) from None


def scheme_or_404(scheme_id: int) -> KurScheme:
    """One row of the KUR rules, for the admin."""
    scheme = db.session.get(KurScheme, scheme_id)
    if scheme is None:
        raise NotFound()
    return scheme


def banks_with_officers() -> list[Bank]:
    """Every partner bank with its chapters and officers, by name (the admin's list)."""
    return list(
        db.session.scalars(
            select(Bank)
            .options(selectinload(Bank.chapters), selectinload(Bank.officers))
            .order_by(Bank.name)
        )
    )


def banks_page(cursor: str | None, *, per_page: int = PER_PAGE) -> Page:
    """A keyset page of partner banks by name for the admin's list: each row
    ``(bank, chapters served, officers)``, the counts correlated per bank (one statement
    per page, however many officers a bank has)."""
    chapters = (
        select(func.count())
        .select_from(bank_chapter)
        .where(bank_chapter.c.bank_id == Bank.id)
        .scalar_subquery()
    )
    officers = (
        select(func.count(BankOfficer.id)).where(BankOfficer.bank_id == Bank.id).scalar_subquery()
    )
    return keyset_page(
        select(Bank, chapters.label("chapters"), officers.label("officers")),
        (Bank.__table__.c.name, Bank.__table__.c.id),
        cursor,
        per_page=per_page,
        descending=False,
        scalars=False,
    )


def officers_page(bank: Bank, cursor: str | None, *, per_page: int = PER_PAGE) -> Page:
    """A keyset page of the bank's officers, oldest first, with their accounts."""
    return keyset_page(
        select(BankOfficer)
        .where(BankOfficer.bank_id == bank.id)
        .options(joinedload(BankOfficer.user)),
        (BankOfficer.__table__.c.id,),
        cursor,
        per_page=per_page,
        descending=False,
        arg="officers",
    )


def public_banks() -> list[Bank]:
    """Every partner bank with the chapters it serves, by name (the public list)."""
    return list(
        db.session.scalars(
            select(Bank).options(selectinload(Bank.chapters)).order_by(Bank.name, Bank.id)
        )
    )
