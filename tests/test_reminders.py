"""Daily reminders: the pure schedule (bot/core/reminders.py) under an injected clock,
and the service that stores them in a real SQLite file."""

from __future__ import annotations

from datetime import date, datetime, time, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.core.reminders import (
    Reminder,
    ReminderError,
    Where,
    fires_on,
    load_zone,
    new_reminder,
    parse_time,
    reminder_text,
)
from bot.core.scheduling import Rating
from bot.core.service import AnswerService
from tests.conftest import TOKYO, Clock, tokyo

CORPUS2 = Path(__file__).resolve().parent / "data" / "corpus2"
NINE_PM = time(21, 0)


def reminder(handled_on: date | None = None) -> Reminder:
    return Reminder("42", NINE_PM, Where.DM, 1000, handled_on)


# --- Pure schedule -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [("21:00", time(21)), ("9:05", time(9, 5)), ("0:00", time(0)), ("２１：３０", time(21, 30)), ("21時", time(21)),
     ("21時30分", time(21, 30)), (" 07:45 ", time(7, 45))],
)
def test_parse_time(text, expected):
    assert parse_time(text) == expected


@pytest.mark.parametrize("text", ["", "24:00", "21:60", "9pm", "21", "21:0", "明日", "1:2:3", "x" * 20000])
def test_a_bad_time_is_one_clear_line(text):
    with pytest.raises(ReminderError) as error:
        parse_time(text)
    assert "21:00" in str(error.value) and "\n" not in str(error.value)


def test_time_zones():
    assert load_zone(None) == TOKYO and load_zone("") == TOKYO
    assert load_zone("Europe/Paris") == ZoneInfo("Europe/Paris")
    for bad in ("Mars/Olympus", "../etc/passwd", "Asia/Tokyo\n"):
        with pytest.raises(ReminderError, match="MANABI_TIMEZONE"):
            load_zone(bad + "x" if bad.endswith("\n") else bad)


def test_it_fires_at_its_time_once_a_day():
    assert fires_on(reminder(), tokyo(5, 20, 59), TOKYO) is None
    assert fires_on(reminder(), tokyo(5, 21, 0), TOKYO) == date(2026, 3, 5)
    assert fires_on(reminder(), tokyo(5, 23, 59), TOKYO) == date(2026, 3, 5)
    handled = reminder(date(2026, 3, 5))
    assert fires_on(handled, tokyo(5, 21, 1), TOKYO) is None
    assert fires_on(handled, tokyo(6, 8, 0), TOKYO) is None  # the next morning: not yet
    assert fires_on(handled, tokyo(6, 21, 0), TOKYO) == date(2026, 3, 6)


def test_a_reminder_missed_while_down_is_sent_on_return_the_same_day_only():
    last_sent = reminder(date(2026, 3, 4))
    # Down from 20:00 on the 5th to 22:30: sent on return.
    assert fires_on(last_sent, tokyo(5, 22, 30), TOKYO) == date(2026, 3, 5)
    # Down through the evening of the 5th, back on the 6th at 08:00: the 5th's is lost.
    assert fires_on(last_sent, tokyo(6, 8, 0), TOKYO) is None
    assert fires_on(last_sent, tokyo(6, 21, 0), TOKYO) == date(2026, 3, 6)


def test_the_time_is_the_learners_local_time():
    # 21:00 in Tokyo is 12:00 UTC; in Paris (UTC+1 in March) it is 20:00 UTC.
    noon_utc = datetime(2026, 3, 5, 12, 0, tzinfo=timezone.utc)
    assert fires_on(reminder(), noon_utc, TOKYO) == date(2026, 3, 5)
    assert fires_on(reminder(), noon_utc, ZoneInfo("Europe/Paris")) is None
    # Late at night UTC is already the next day in Tokyo.
    assert fires_on(reminder(date(2026, 3, 5)), datetime(2026, 3, 6, 12, 30, tzinfo=timezone.utc), TOKYO) == date(2026, 3, 6)


def test_a_reminder_set_after_its_time_starts_tomorrow():
    late = new_reminder("42", NINE_PM, Where.HERE, 7, tokyo(5, 22, 0), TOKYO)
    assert late.handled_on == date(2026, 3, 5) and fires_on(late, tokyo(5, 23, 0), TOKYO) is None
    early = new_reminder("42", NINE_PM, Where.HERE, 7, tokyo(5, 20, 0), TOKYO)
    assert early.handled_on is None and fires_on(early, tokyo(5, 21, 0), TOKYO) == date(2026, 3, 5)


def test_reminder_text():
    assert reminder_text(7) == "今日の復習: 7 問"


# --- Stored, with the learner's reviews ------------------------------------------------------


@pytest.fixture
def clock():
    return Clock(tokyo(1, 9, 0))


@pytest.fixture
def make_service(analyzer, tmp_path, clock):
    made = []

    def make() -> AnswerService:
        service = AnswerService(CORPUS2, analyzer, db_path=tmp_path / "manabi.db", zone=TOKYO, clock=clock)
        made.append(service)
        return service

    yield make
    for service in made:
        service.close()


def test_reminders_are_sent_only_with_reviews_due_and_survive_restarts(make_service, clock):
    service = make_service()
    service.set_reminder("42", NINE_PM, Where.DM, 1000)
    clock.now = tokyo(1, 21, 0)
    assert service.reminders_to_send() == []  # nothing learned, nothing due: silence
    clock.now = tokyo(1, 21, 5)
    assert service.reminders_to_send() == []  # and the day is handled
    for item in service.quiz.items[:3]:
        service.record("42", item, Rating.GOOD)  # back in 2 days
    service.record("42", service.quiz.items[3], Rating.AGAIN)  # back in 10 minutes
    service.close()

    service = make_service()  # a restart
    assert service.reminder("42") == Reminder("42", NINE_PM, Where.DM, 1000, date(2026, 3, 1))
    clock.now = tokyo(2, 20, 59)
    assert service.reminders_to_send() == []
    clock.now = tokyo(2, 21, 0)
    [(sent, due)] = service.reminders_to_send()
    assert sent.learner == "42" and sent.channel_id == 1000 and due == 1
    assert service.reminders_to_send() == []  # once a day
    clock.now = tokyo(3, 21, 10)  # down at 21:00, back at 21:10: sent now, with all due
    assert [due for _, due in service.reminders_to_send()] == [4]
    assert service.remove_reminder("42") and not service.remove_reminder("42")
    clock.now = tokyo(4, 21, 0)
    assert service.reminders_to_send() == [] and service.reminder("42") is None


def test_two_bot_processes_send_a_reminder_once(make_service, clock):
    first, second = make_service(), make_service()
    first.set_reminder("42", NINE_PM, Where.HERE, 7)
    first.record("42", first.quiz.items[0], Rating.AGAIN)
    clock.now = tokyo(1, 21, 0)
    assert len(first.reminders_to_send() + second.reminders_to_send()) == 1
