"""Daily review reminders: when one is due, given the time now. Pure: no clock, no I/O.

A reminder fires once a local day, at its time or, when the bot was down then, as soon
as it is back on the same day; a day missed entirely is not made up. A reminder set
after today's time starts tomorrow. Whether the learner has anything to review is the
caller's question: on a day with nothing due, the reminder is handled without a word.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import date, datetime, time, tzinfo
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_TIMEZONE = "Asia/Tokyo"

_TIME = re.compile(r"(\d{1,2})(?::(\d{2})|時(?:(\d{1,2})分?)?)")


class Where(StrEnum):
    DM = "dm"  # the learner's direct messages
    HERE = "here"  # the server channel the reminder was set in


@dataclass(frozen=True, slots=True)
class Reminder:
    learner: str
    at: time  # local time of day, in the learners' time zone
    where: Where
    channel_id: int  # the DM or server channel it is sent to
    handled_on: date | None = None  # the last local day it was sent, or had nothing to send


class ReminderError(ValueError):
    """A time or time zone that cannot be used; the message is one Japanese line."""


def parse_time(text: str) -> time:
    """"21:00", "9:05", "２１：００", "21時", "21時30分" -> a time of day."""
    folded = unicodedata.normalize("NFKC", text).strip()
    match = _TIME.fullmatch(folded)
    if match:
        hour, minute = int(match[1]), int(match[2] or match[3] or 0)
        if hour < 24 and minute < 60:
            return time(hour, minute)
    raise ReminderError("時刻は 21:00 のように 24 時間表記で書いてください。")


def load_zone(name: str | None) -> ZoneInfo:
    """MANABI_TIMEZONE ("Asia/Tokyo", "Europe/Paris", "UTC"); empty or unset is the default."""
    name = (name or "").strip() or DEFAULT_TIMEZONE
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ReminderError(
            f"タイムゾーン (MANABI_TIMEZONE) {name!r} が見つかりません。Asia/Tokyo のような名前にしてください。"
        ) from None


def default_zone() -> ZoneInfo:
    return ZoneInfo(DEFAULT_TIMEZONE)


def local_day(now: datetime, zone: tzinfo) -> date:
    return now.astimezone(zone).date()


def fires_on(reminder: Reminder, now: datetime, zone: tzinfo) -> date | None:
    """The local day to handle the reminder for at `now`: today, once its time has
    come, unless today was already handled; else None."""
    local = now.astimezone(zone)
    today = local.date()
    if local.time() < reminder.at:
        return None
    if reminder.handled_on is not None and reminder.handled_on >= today:
        return None
    return today


def new_reminder(learner: str, at: time, where: Where, channel_id: int, now: datetime, zone: tzinfo) -> Reminder:
    """A reminder set at `now`: if today's time has passed it starts tomorrow."""
    reminder = Reminder(learner, at, where, channel_id)
    today = fires_on(reminder, now, zone)
    return replace(reminder, handled_on=today) if today else reminder


def reminder_text(due: int) -> str:
    return f"今日の復習: {due} 問"
