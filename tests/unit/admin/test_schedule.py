"""When the backup schedule writes the next set."""

from datetime import UTC, datetime, time, timedelta, timezone

from spawner.admin.schedule import next_run

BERLIN_WINTER = timezone(timedelta(hours=1))
TIMES = (time(3, 0), time(13, 30))


def at(day, hour, minute=0, second=0):
    return datetime(2026, 12, day, hour, minute, second, tzinfo=BERLIN_WINTER)


def test_the_next_time_of_day_today_or_tomorrow():
    assert next_run(TIMES, at(5, 10), at(5, 3)) == at(5, 13, 30)
    assert next_run(TIMES, at(5, 14), at(5, 13, 30)) == at(6, 3)
    assert next_run((time(3, 0),), at(5, 3), at(5, 3)) == at(6, 3)


def test_a_time_reached_since_the_schedule_began_is_due():
    began = at(5, 13, 29)
    assert next_run(TIMES, at(5, 13, 29, 30), began) == at(5, 13, 30)
    reached = datetime(2026, 12, 5, 13, 30, 0, 1000, tzinfo=BERLIN_WINTER)
    assert next_run(TIMES, reached, began) == reached


def test_a_time_missed_while_the_hub_was_down_runs_at_once():
    now = at(5, 10)
    assert next_run(TIMES, now, at(4, 13, 30)) == now
    # Missed yesterday's afternoon time and this morning's: one set, now.
    assert next_run(TIMES, now, at(4, 9)) == now


def test_the_last_attempt_may_be_recorded_in_another_zone():
    last = datetime(2026, 12, 5, 2, 0, 5, tzinfo=UTC)  # 03:00:05 in Berlin
    assert next_run(TIMES, at(5, 10), last) == at(5, 13, 30)
