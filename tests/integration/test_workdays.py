"""Working days in Jakarta: weekdays minus national holidays (the holidays package) and the
cuti bersama days of the SKB 3 Menteri (the holiday table, seeded with 2026, edited by admins)."""

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from marketplace.core import workdays
from marketplace.core.workdays import Holiday

SKB_2026_CUTI_BERSAMA = {
    date(2026, 2, 16),
    date(2026, 3, 18),
    date(2026, 3, 20),
    date(2026, 3, 23),
    date(2026, 3, 24),
    date(2026, 5, 15),
    date(2026, 5, 28),
    date(2026, 12, 24),
}


def test_the_2026_cuti_bersama_decree_is_seeded(db):
    seeded = set(db.session.scalars(select(Holiday.day).where(Holiday.kind == "cuti_bersama")))
    assert seeded >= SKB_2026_CUTI_BERSAMA


def test_a_national_holiday_and_a_cuti_bersama_day_are_not_working_days(db):
    assert not workdays.is_working_day(date(2026, 8, 17))  # Monday, Independence Day
    assert not workdays.is_working_day(date(2026, 5, 15))  # Friday, cuti bersama
    assert not workdays.is_working_day(date(2026, 5, 16))  # Saturday
    assert workdays.is_working_day(date(2026, 5, 18))


def test_working_days_skip_lebaran_2026(db):
    # Thu 19 Mar Nyepi, Fri 20 cuti, Sat-Sun Idul Fitri, Mon 23 and Tue 24 cuti: 25 Mar is
    # the first working day after Wed 18 Mar (itself cuti bersama).
    assert workdays.add_working_days(date(2026, 3, 17), 1) == date(2026, 3, 25)
    assert workdays.working_days_between(date(2026, 3, 17), date(2026, 3, 25)) == 1


def test_admin_adds_and_removes_a_decreed_day_off(csrf_client, login_as, world, db):
    login_as(csrf_client.client, world.admin)
    assert workdays.is_working_day(date(2030, 4, 1))
    page = csrf_client.get("/admin/holidays")
    assert page.status_code == 200
    assert "Cuti bersama Idul Fitri" in page.get_data(as_text=True)
    added = csrf_client.post(
        "/admin/holidays",
        data={
            "day": "2030-04-01",
            "name": "Cuti bersama uji",
            "kind": "cuti_bersama",
            "source": "SKB uji",
        },
    )
    assert added.status_code == 302
    assert not workdays.is_working_day(date(2030, 4, 1))
    twice = csrf_client.post(
        "/admin/holidays",
        data={"day": "2030-04-01", "name": "Lagi", "kind": "cuti_bersama"},
    )
    assert twice.status_code == 400
    assert "sudah ada" in twice.get_data(as_text=True)
    row = db.session.scalar(select(Holiday).where(Holiday.day == date(2030, 4, 1)))
    assert csrf_client.post(f"/admin/holidays/{row.id}/delete").status_code == 302
    db.session.expire_all()
    assert workdays.is_working_day(date(2030, 4, 1))


def test_holiday_page_is_for_admins_only(csrf_client, login_as, world):
    login_as(csrf_client.client, world.lead_tebet)
    assert csrf_client.get("/admin/holidays").status_code in (403, 404)
    assert csrf_client.post(
        "/admin/holidays", data={"day": "2030-04-02", "name": "X libur", "kind": "cuti_bersama"}
    ).status_code in (403, 404)
    assert workdays.is_working_day(date(2030, 4, 2))


@settings(max_examples=300, deadline=None)
@given(
    start=st.dates(date(2025, 1, 1), date(2027, 12, 31)),
    span=st.integers(-3, 800),
    off=st.sets(st.dates(date(2024, 12, 1), date(2030, 12, 31)), max_size=40),
)
def test_working_days_between_counts_as_a_day_by_day_walk(start, span, off):
    """Counted by whole weeks minus the span's weekday holidays (a referral sent months ago
    costs the same as one sent yesterday): the same number as walking day by day, with
    holidays inside, outside and on the ends of the span, on weekdays and weekends."""
    end = start + timedelta(days=span)
    holidays = dict.fromkeys(off, "libur")
    walked, day = 0, start
    while day < end:
        day += timedelta(days=1)
        walked += day.weekday() < 5 and day not in holidays
    assert workdays.working_days_between(start, end, holidays) == walked
