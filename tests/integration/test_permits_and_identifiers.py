"""Issue 13: the corrected permit table on existing listings, the owner's identifiers (NIK
age, NPWP = NIK, the blind index: one NIK, one business) and the SIKP fields."""

from datetime import date

import pytest
from sqlalchemy import select

from marketplace.accounts.models import User
from marketplace.businesses import identity
from marketplace.businesses import services as businesses
from marketplace.businesses.models import Business
from marketplace.catalog.models import Product
from marketplace.catalog.visibility import visible_products
from marketplace.core.crypto import blind_index, decrypt_text
from marketplace.core.errors import ValidationFailed
from marketplace.core.timeutil import jakarta_today
from marketplace.demo import builders
from marketplace.extensions import db as _db
from tests.concurrency import race
from tests.factories import make_business, make_document, make_product, make_user

OWNER_NIK = "3171011708450001"


def registration(**overrides):
    data = {
        "name": "Dapur Bu Tini",
        "nik": OWNER_NIK,
        "nib": "9120003849102",
        "npwp": "",
        "scale": "mikro",
        "sector": "kuliner",
        "started_on": "2021-03-01",
        "kelurahan_code": "31.75.06.1001",
        "address_line": "Jl. Raya Cakung No. 5, RT 01/RW 02",
        "postal_code": "13910",
        "whatsapp": "0812-3456-7890",
        "confirm": "1",  # as the "check your answers" page posts the answers back
    }
    return {**data, **overrides}


def register_input(**overrides) -> businesses.BusinessInput:
    data = registration(**overrides)
    data.pop("confirm")
    data["started_on"] = date.fromisoformat(data["started_on"])
    return businesses.BusinessInput(**data)


def nik_born(born: date, serial: int = 1) -> str:
    return f"317101{born:%d%m%y}{serial:04d}"


# --- the corrected permit table on products listed before it ------------------------------


def test_recheck_unlists_listed_products_that_the_corrected_table_blocks(app, db, world):
    b = world.biz_tebet
    make_document(business=b, kind="nib")
    # Listed before issue 13 with the permit the old table asked for.
    make_product(
        business=b,
        name="Keripik Tempe",
        category="pertanian",
        status="listed",
        shelf_life_days=None,
    )
    water = make_product(business=b, name="Air Galon", status="listed", bottled_water=True)
    claim = make_product(
        business=b, name="Jamu Kunyit Sehat", status="listed", shelf_life_days=3, health_claim=True
    )
    make_document(business=b, kind="pirt", products=[water])
    make_document(business=b, kind="slhs", products=[claim])
    fine = make_product(business=b, name="Keripik Singkong", status="listed")
    make_document(business=b, kind="pirt", products=[fine])
    make_document(business=b, kind="halal", products=[fine, water])

    result = app.test_cli_runner().invoke(args=["permits", "recheck"])
    assert result.exit_code == 0, result.output
    assert "unlisted 3 product(s)" in result.output

    visible = {p.name for p in db.session.scalars(visible_products())}
    assert visible == {"Keripik Singkong"}
    assert app.test_cli_runner().invoke(args=["permits", "recheck"]).output.startswith("unlisted 0")


def test_a_household_cleaner_needs_the_kemenkes_pkrt_permit_to_list(app, db, world):
    from marketplace.legality.services import listing_blockers

    b = world.biz_tebet
    make_document(business=b, kind="nib")
    cleaner = make_product(
        business=b, name="Sabun Cuci Piring", category="rumah_tangga", household_cleaning=True
    )
    assert [x.kind for x in listing_blockers(cleaner)] == ["pkrt"]
    make_document(business=b, kind="pkrt", products=[cleaner])
    assert listing_blockers(cleaner) == []


# --- the NIK: age, blind index, one NIK one business ---------------------------------------


def test_a_childs_nik_cannot_register_a_business_and_a_17_year_old_can(db, world):
    today = jakarta_today()
    seventeen = today.replace(year=today.year - 17, day=min(today.day, 28))
    child = seventeen.replace(year=seventeen.year + 1)
    with pytest.raises(ValidationFailed, match="belum berusia 17 tahun") as excinfo:
        businesses.register_business(make_user(), register_input(nik=nik_born(child)))
    assert excinfo.value.details["field"] == "nik"
    adult = businesses.register_business(make_user(), register_input(nik=nik_born(seventeen)))
    assert identity.owner_age(adult.business) == 17


def test_owner_age_comes_from_the_niks_birth_date_day_plus_40_for_women(db, world):
    woman = businesses.register_business(
        make_user(), register_input(nik="3174075708450002")
    ).business  # 57 = 17 + 40: born 17-08-1945
    assert identity.owner_birth_date(woman) == date(1945, 8, 17)
    assert identity.owner_age(woman, date(2026, 8, 16)) == 80
    assert identity.owner_age(woman, date(2026, 8, 17)) == 81


def test_the_blind_index_is_a_keyed_hmac_not_the_nik(app, db, world):
    business = businesses.register_business(make_user(), register_input()).business
    assert business.nik_index == blind_index(OWNER_NIK)
    assert OWNER_NIK not in business.nik_index
    assert len(business.nik_index) == 64
    before = app.config["NIK_INDEX_KEY"]
    app.config["NIK_INDEX_KEY"] = "another-index-key-of-thirty-two-bytes!!"
    try:
        assert blind_index(OWNER_NIK) != business.nik_index
    finally:
        app.config["NIK_INDEX_KEY"] = before


def test_one_nik_registers_one_business_with_a_clear_message(csrf_client, login_as, db, world):
    businesses.register_business(make_user(), register_input())
    db.session.commit()
    login_as(csrf_client.client, make_user())
    response = csrf_client.post("/business/register", data=registration(name="Usaha Kedua"))
    assert response.status_code == 400
    assert "satu NIK untuk satu usaha" in response.get_data(as_text=True)
    # Issue 14: what the owner typed is kept for them to correct (only in the NIK field),
    # and never another business's data.
    page = response.get_data(as_text=True)
    assert page.count(OWNER_NIK) == 1
    assert f'value="{OWNER_NIK}"' in page
    assert db.session.scalar(select(Business).where(Business.name == "Usaha Kedua")) is None


def test_two_simultaneous_registrations_with_one_nik_make_one_business(app, db, world):
    owners = [make_user().id for _ in range(4)]
    db.session.commit()

    def attempt(i, prepared):
        if prepared is None:
            return True
        owner = _db.session.get(User, owners[i])
        businesses.register_business(owner, register_input(name=f"Balapan {i}"))

    ok, refused = race(app, 4, attempt)
    assert len(ok) == 1
    assert len(refused) == 3
    index = blind_index(OWNER_NIK)
    assert len(db.session.scalars(select(Business).where(Business.nik_index == index)).all()) == 1


def test_a_lead_sees_the_other_chapter_of_a_member_registered_twice_before_the_index(
    client, login_as, db, world
):
    # Two businesses with one NIK from before issue 13: the migration keeps the oldest one's
    # claim and marks the later one a legacy duplicate (outside the unique index).
    later = make_business(chapter=world.cakung, name="Warung Kedua Bu Tini")
    later.nik_index = world.biz_tebet.nik_index
    later.nik_legacy_duplicate = True
    db.session.commit()
    login_as(client, world.lead_cakung)
    page = client.get(f"/lead/cakung/members/{later.id}").get_data(as_text=True)
    assert "juga punya usaha terdaftar di chapter: Tebet" in page
    assert world.biz_tebet.name not in page
    login_as(client, world.lead_tebet)
    page = client.get(f"/lead/tebet/members/{world.biz_tebet.id}").get_data(as_text=True)
    assert "chapter: Cakung" in page
    alone = make_business(chapter=world.cakung, name="Usaha Sendiri")
    login_as(client, world.lead_cakung)
    page = client.get(f"/lead/cakung/members/{alone.id}").get_data(as_text=True)
    assert "juga punya usaha terdaftar" not in page


# --- NPWP = NIK -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("npwp", "npwp_is_nik", "stored", "warned"),
    [
        (OWNER_NIK, False, None, False),  # typed the NIK as NPWP
        ("", True, None, False),  # ticked "my NPWP is my NIK"
        ("07.123.456.1-012.000", False, None, True),  # a legacy personal NPWP
        ("01.312.166.0-091.000", False, "0013121660091000", False),  # a company
        ("", False, None, False),  # none
    ],
)
def test_an_individuals_npwp_is_recorded_as_the_nik_never_as_a_second_copy(
    db, world, npwp, npwp_is_nik, stored, warned
):
    result = businesses.register_business(
        make_user(), register_input(npwp=npwp, npwp_is_nik=npwp_is_nik)
    )
    business = result.business
    assert business.npwp == stored
    assert business.npwp_is_nik is (npwp in (OWNER_NIK, "07.123.456.1-012.000") or npwp_is_nik)
    assert business.npwp != OWNER_NIK
    assert any("diganti NIK" in str(w) for w in result.warnings) is warned


def test_an_npwp_that_is_someone_elses_nik_is_refused(db, world):
    with pytest.raises(ValidationFailed, match="berbeda dengan NIK") as excinfo:
        businesses.register_business(make_user(), register_input(npwp="3174075708450002"))
    assert excinfo.value.details["field"] == "npwp"


def test_the_database_refuses_an_npwp_copy_beside_npwp_is_nik(db, world):
    from sqlalchemy.exc import IntegrityError

    business = world.biz_tebet
    business.npwp_is_nik = True
    business.npwp = "3171011708450001"
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_an_npwp_equal_to_the_nik_passes_the_kur_npwp_rule(db, world):
    business = world.biz_tebet
    business.npwp, business.npwp_is_nik = None, True
    assert business.has_npwp


# --- SIKP fields ----------------------------------------------------------------------------


def test_owner_fills_the_sikp_fields_on_the_profile_and_the_kk_is_encrypted_and_masked(
    csrf_client, login_as, db, world
):
    login_as(csrf_client.client, world.biz_tebet.owner)
    assert "belum lengkap" in csrf_client.get("/business/").get_data(as_text=True)
    bad = csrf_client.post("/business/profile", data={"kbli_code": "1079"})
    assert bad.status_code == 400
    assert "5 angka" in bad.get_data(as_text=True)
    response = csrf_client.post(
        "/business/profile",
        data={
            "kk": "3174 0212 3456 0001",
            "marital_status": "kawin",
            "sikp_sector": "produksi",
            "kbli_code": "10792",
        },
    )
    assert response.status_code == 302
    business = db.session.get(Business, world.biz_tebet.id)
    assert decrypt_text(business.kk_encrypted) == "3174021234560001"
    assert b"3174021234560001" not in business.kk_encrypted
    assert business.kk_masked == "3174********0001"
    assert (business.marital_status, business.sikp_sector, business.kbli_code) == (
        "kawin",
        "produksi",
        "10792",
    )
    page = csrf_client.get("/business/profile").get_data(as_text=True)
    assert "3174********0001" in page
    assert "3174021234560001" not in page
    assert "belum lengkap" not in csrf_client.get("/business/").get_data(as_text=True)


def test_sikp_fields_can_be_given_at_registration(csrf_client, login_as, db, world):
    owner = make_user()
    login_as(csrf_client.client, owner)
    response = csrf_client.post(
        "/business/register",
        data=registration(
            kk="3175061234560002",
            marital_status="belum_kawin",
            sikp_sector="perdagangan_jasa",
            kbli_code="47911",
        ),
    )
    assert response.status_code == 302
    business = db.session.scalar(select(Business).where(Business.owner_id == owner.id))
    assert business.sikp_complete
    assert business.kk_masked == "3175********0002"


@pytest.mark.plugin("referrals")
def test_the_dossier_carries_the_sikp_fields_and_npwp_equal_to_nik(db, world):
    from referrals.services import dossier
    from tests.factories import make_bank, make_referral

    business = world.biz_tebet
    nik = decrypt_text(business.nik_encrypted)
    businesses.update_sikp(
        business,
        businesses.SikpInput(
            kk="3174021234560001", marital_status="kawin", sikp_sector="produksi", kbli_code="10792"
        ),
        actor=business.owner,
    )
    business.npwp_is_nik = True
    db.session.commit()
    referral = make_referral(
        business=business,
        bank=make_bank(slug="bank-sikp"),
        lead=world.lead_tebet,
        status="consented",
    )
    built = dossier.build(referral, today=date(2026, 12, 1))["business"]
    assert built["npwp"] == nik
    assert built["npwp_is_nik"] is True
    assert built["sikp"] == {
        "kk": "3174021234560001",
        "birth_date": identity.owner_birth_date(business).isoformat(),
        "age": identity.owner_age(business, date(2026, 12, 1)),
        "marital_status": "kawin",
        "sector": "produksi",
        "kbli_code": "10792",
        "business_started_on": business.started_on.isoformat(),
    }


def test_builders_give_every_business_its_own_nik():
    assert len({builders.next_nik() for _ in range(50)}) == 50


def test_product_columns_hold_the_new_answers(db, world):
    product = make_product(business=world.biz_tebet, bottled_water=True, mandatory_sni=True)
    product = db.session.get(Product, product.id)
    assert product.attributes().bottled_water
    assert product.attributes().mandatory_sni


# --- configuration --------------------------------------------------------------------------


def test_production_refuses_to_start_without_a_separate_nik_index_key():
    from marketplace import create_app
    from marketplace.config import ConfigError
    from tests.integration.test_security_defaults import STRONG_KEY, prod_config

    for key in ("", "short", STRONG_KEY):
        with pytest.raises(ConfigError, match="NIK_INDEX_KEY"):
            create_app(prod_config(SECRET_KEY=STRONG_KEY, NIK_INDEX_KEY=key))


# --- the backfill migration -----------------------------------------------------------------


def test_the_migration_backfills_the_blind_index_and_drops_the_plain_nik_copy(tmp_path):
    """Rows from before issue 13: the HMAC is computed from each decrypted NIK, a NIK kept
    as NPWP becomes npwp_is_nik, and a second business with the same NIK is marked."""
    from datetime import UTC, datetime

    import sqlalchemy as sa
    from flask_migrate import upgrade

    from marketplace.core.crypto import encrypt_text
    from tests.conftest import build_app

    app = build_app(f"sqlite:///{tmp_path / 'backfill.db'}")
    with app.app_context():
        upgrade(revision="5d1c0e7a9b24")  # the host head before this issue
        now = datetime(2026, 1, 1, tzinfo=UTC)
        with _db.engine.begin() as conn:
            kel_code, chapter_id, postal = conn.execute(
                sa.text("SELECT code, chapter_id, postal_code FROM kelurahan LIMIT 1")
            ).one()
            rows = [
                (OWNER_NIK, OWNER_NIK),  # the NIK copied into the NPWP field
                (OWNER_NIK, None),  # the same person again, later
                ("3174075708450002", "0071234561012000"),  # a personal NPWP as 0 + 15
                ("3175064101900003", "0013121660091000"),  # a company NPWP
            ]
            for i, (nik, npwp) in enumerate(rows, start=1):
                conn.execute(
                    sa.text(
                        'INSERT INTO "user" (id, email, name, password_hash, is_admin, '
                        "is_disabled, created_at, password_changed_at) VALUES "
                        "(:i, :e, 'Pemilik', 'x', false, false, :t, :t)"
                    ),
                    {"i": i, "e": f"owner{i}@example.com", "t": now},
                )
                conn.execute(
                    sa.text(
                        "INSERT INTO business (id, owner_id, chapter_id, kelurahan_code, name, "
                        "nik_encrypted, nik_masked, nib, npwp, scale, sector, started_on, "
                        "address_line, postal_code, whatsapp_e164, storage_used_bytes, "
                        "created_at) VALUES (:i, :i, :c, :k, :n, :enc, :m, '9120003849102', "
                        ":npwp, 'mikro', 'kuliner', '2022-01-01', 'Jl. A 1', :p, "
                        "'+6281234567890', 0, :t)"
                    ),
                    {
                        "i": i,
                        "c": chapter_id,
                        "k": kel_code,
                        "n": f"Usaha {i}",
                        "enc": encrypt_text(nik),
                        "m": nik[:4] + "*" * 8 + nik[-4:],
                        "npwp": npwp,
                        "p": postal,
                        "t": now,
                    },
                )
        upgrade(revision="8b2f4d6a1c37")
        with _db.engine.connect() as conn:
            got = conn.execute(
                sa.text(
                    "SELECT id, nik_index, nik_legacy_duplicate, npwp, npwp_is_nik "
                    "FROM business ORDER BY id"
                )
            ).all()
        assert [(r[2], r[3], r[4]) for r in got] == [
            (False, None, True),
            (True, None, False),
            (False, None, True),
            (False, "0013121660091000", False),
        ]
        assert got[0][1] == got[1][1] == blind_index(OWNER_NIK)
        assert got[2][1] == blind_index("3174075708450002")
        _db.engine.dispose()
