"""The NSE/BSE calendar: phases through a day, weekends, exchange holidays (the library's and the data file's),
admin overrides (an extra holiday, a Muhurat-style special session), the square-off time, and the shared clock."""

import time as wall
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest

from app.market.calendar.indian import CalendarSettings, IndianExchangeCalendar, UnknownExchange
from app.market.calendar.port import Override, Phase
from app.market.clock import IST, UTC, ClockSettings, ShiftedClock, make_clock


def ist(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=IST)


@pytest.fixture(scope="module")
def calendar() -> IndianExchangeCalendar:
    return IndianExchangeCalendar()


def test_a_trading_day_goes_pre_open_open_closed_with_the_close_itself_closed(calendar: IndianExchangeCalendar) -> None:
    # Tuesday 27 Jan 2026, the day after Republic Day.
    assert calendar.status("NSE", ist("2026-01-27T08:59")).phase == Phase.CLOSED
    assert calendar.status("NSE", ist("2026-01-27T09:00")).phase == Phase.PRE_OPEN
    assert calendar.status("NSE", ist("2026-01-27T09:15")).phase == Phase.OPEN
    before_close = calendar.status("NSE", ist("2026-01-27T15:29"))
    assert before_close.phase == Phase.OPEN and calendar.is_open("NSE", ist("2026-01-27T15:29:59"))
    assert before_close.next_close == ist("2026-01-27T15:30")
    assert before_close.next_open == ist("2026-01-28T09:15")
    at_close = calendar.status("NSE", ist("2026-01-27T15:30"))
    assert at_close.phase == Phase.CLOSED and not calendar.is_open("NSE", ist("2026-01-27T15:30"))
    assert (at_close.next_open, at_close.next_close) == (ist("2026-01-28T09:15"), ist("2026-01-28T15:30"))


def test_pre_open_points_at_todays_open_and_close(calendar: IndianExchangeCalendar) -> None:
    status = calendar.status("NSE", ist("2026-01-27T09:05"))
    assert (status.next_open, status.next_close) == (ist("2026-01-27T09:15"), ist("2026-01-27T15:30"))
    assert status.now.tzinfo == UTC


def test_a_weekend_is_weekend_and_opens_on_monday(calendar: IndianExchangeCalendar) -> None:
    status = calendar.status("NSE", ist("2026-01-31T11:00"))  # Saturday
    assert status.phase == Phase.WEEKEND and status.holiday_name is None
    assert status.next_open == ist("2026-02-02T09:15")
    assert calendar.session_date("NSE", ist("2026-02-01T11:00")) == date(2026, 1, 30)


def test_republic_day_is_a_named_holiday_and_the_weekend_before_it_opens_on_tuesday(
    calendar: IndianExchangeCalendar,
) -> None:
    status = calendar.status("NSE", ist("2026-01-26T10:00"))  # a Monday
    assert (status.phase, status.holiday_name) == (Phase.HOLIDAY, "Republic Day")
    assert calendar.status("BSE", ist("2026-01-26T10:00")).phase == Phase.HOLIDAY
    assert calendar.status("NSE", ist("2026-01-24T10:00")).next_open == ist("2026-01-27T09:15")
    assert calendar.previous_trading_day("NSE", date(2026, 1, 27)) == date(2026, 1, 23)
    assert calendar.session_date("NSE", ist("2026-01-26T12:00")) == date(2026, 1, 23)


def test_the_data_file_adds_years_the_library_lacks(calendar: IndianExchangeCalendar) -> None:
    good_friday_2027 = calendar.status("NSE", ist("2027-03-26T10:00"))
    assert (good_friday_2027.phase, good_friday_2027.holiday_name) == (Phase.HOLIDAY, "Good Friday")
    assert calendar.status("NSE", ist("2027-03-29T10:00")).phase == Phase.OPEN


def test_the_data_file_can_remove_a_day_the_library_has_wrong(tmp_path: Path) -> None:
    holidays = tmp_path / "holidays.csv"
    holidays.write_text("exchange,date,action,name\nNSE,2026-03-03,remove,\nNSE,2026-03-04,add,Test holiday\n")
    corrected = IndianExchangeCalendar(CalendarSettings(holidays_file=holidays))
    assert corrected.status("NSE", ist("2026-03-03T10:00")).phase == Phase.OPEN  # Holi in the library
    assert corrected.status("BSE", ist("2026-03-03T10:00")).phase == Phase.HOLIDAY  # only NSE was corrected
    assert corrected.status("NSE", ist("2026-03-04T10:00")).holiday_name == "Test holiday"


def test_a_special_session_on_a_sunday_trades_only_in_its_hours(tmp_path: Path) -> None:
    calendar = IndianExchangeCalendar()
    muhurat = Override("NSE", date(2026, 11, 8), "Muhurat trading", opens=time(18, 0), closes=time(19, 0))
    calendar.set_overrides([muhurat])
    assert calendar.status("NSE", ist("2026-11-08T17:50")).phase == Phase.PRE_OPEN
    status = calendar.status("NSE", ist("2026-11-08T18:30"))
    assert status.phase == Phase.OPEN and status.next_close == ist("2026-11-08T19:00")
    assert calendar.status("NSE", ist("2026-11-08T19:00")).phase == Phase.CLOSED
    assert calendar.status("NSE", ist("2026-11-07T12:00")).next_open == ist("2026-11-08T18:00")
    assert calendar.status("BSE", ist("2026-11-08T18:30")).phase == Phase.WEEKEND  # the override was NSE's
    # The usual 15:15 square-off is before the session: the broker squares off 15 minutes before its close.
    assert calendar.square_off_time("NSE", date(2026, 11, 8)) == ist("2026-11-08T18:45")
    assert calendar.session_date("NSE", ist("2026-11-08T20:00")) == date(2026, 11, 8)


def test_an_extra_holiday_closes_a_trading_day_and_removing_it_reopens_it() -> None:
    calendar = IndianExchangeCalendar()
    calendar.set_overrides([Override("NSE", date(2026, 12, 2), "Exchange systems upgrade")])
    status = calendar.status("NSE", ist("2026-12-02T10:00"))
    assert (status.phase, status.holiday_name) == (Phase.HOLIDAY, "Exchange systems upgrade")
    assert calendar.status("NSE", ist("2026-12-01T16:00")).next_open == ist("2026-12-03T09:15")
    calendar.set_overrides([])
    assert calendar.status("NSE", ist("2026-12-02T10:00")).phase == Phase.OPEN


def test_square_off_time_is_the_setting_on_a_normal_day() -> None:
    default = IndianExchangeCalendar()
    assert default.square_off_time("NSE", date(2026, 12, 1)) == ist("2026-12-01T15:15")
    later = IndianExchangeCalendar(CalendarSettings(square_off_time=time(15, 20)))
    assert later.square_off_time("NSE", date(2026, 12, 1)) == ist("2026-12-01T15:20")
    with pytest.raises(ValueError):
        default.square_off_time("NSE", date(2026, 1, 26))


def test_derivative_segments_follow_their_exchange_and_unknown_exchanges_are_refused(
    calendar: IndianExchangeCalendar,
) -> None:
    assert calendar.status("NFO", ist("2026-01-26T10:00")).phase == Phase.HOLIDAY
    with pytest.raises(UnknownExchange):
        calendar.status("LSE", ist("2026-01-27T10:00"))


def test_the_sim_clock_starts_where_told_reads_a_bare_time_as_ist_and_runs_on() -> None:
    clock = make_clock(ClockSettings(sim_clock_start=datetime(2026, 1, 26, 10, 0)))
    first = clock.now()
    assert first.tzinfo is not None and abs(first - ist("2026-01-26T10:00")) < timedelta(seconds=1)
    wall.sleep(0.05)
    assert clock.now() > first
    assert isinstance(clock, ShiftedClock)
    real = make_clock(ClockSettings(sim_clock_start=None)).now()
    assert abs(real - datetime.now(UTC)) < timedelta(seconds=1)
