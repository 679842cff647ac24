"""One study day, end to end, on the fake Discord: the scenario tests/test_study_day.py
checks, and a readable transcript of it.

The real bot (ManabiBot, with /note capture, the notes watcher and reminders) runs on
the real discord.py client against tests/fake_discord.py on 127.0.0.1, over the shipped
notes, an inbox folder and a SQLite progress file in a work folder. One injected clock
drives the service (schedules, streaks, reminders) and the capture (the day's file);
the reminder loop is ticked by the scenario, never waited on.

    python -m tests.study_day        # prints the transcript

The learner is the fake's plain member, allowed to add notes through a note role.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.core.analyzer import Analyzer
from bot.core.inbox import LEARNED, UNCLEAR
from bot.core.library import NotesFolder
from bot.core.models import Kind, QuizItem
from bot.core.service import AnswerService
from bot.core.watch import WatchMode
from bot.discord_bot.capture import Capture
from bot.discord_bot.client import ManabiBot
from bot.discord_bot.cooldown import UserCooldown
from tests.conftest import SHIPPED_CORPUS
from tests.bot_helpers import connect, disconnect, fake_discord
from tests.fake_discord import EPHEMERAL, FakeDiscord

TOKYO = ZoneInfo("Asia/Tokyo")
FIRST_DAY = datetime(2026, 12, 1, tzinfo=TOKYO)  # a Tuesday
MESSAGES = r"/channels/\d+/messages"
WEEKDAYS = "月火水木金土日"
REFRESH_DEADLINE_S = 20.0  # a captured note must be answered from within this (it takes ~1-2 s)

NOTE_TEXT = "ソケットアクティベーションは、systemdが先にソケットを開いておき、接続が来たときにサービスを起動する仕組み"
NOTE_TOPIC = "systemd"
ANSWERED_QUESTION = "ソケットアクティベーションって何？"
UNANSWERED_QUESTION = "journaldのログはどこに保存される？"


class Clock:
    """The injected clock: what the service and the capture take for now."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now.astimezone(timezone.utc)

    def local(self) -> datetime:
        return self.now.astimezone(TOKYO)

    def set(self, day: int, hour: int, minute: int = 0) -> None:
        """Day 1 is FIRST_DAY."""
        self.now = FIRST_DAY.replace(hour=hour, minute=minute) + timedelta(days=day - 1)


@dataclass
class StudyDay:
    """What happened: transcript lines, and what the fake Discord received at each step
    (the JSON the bot sent: interaction callbacks' data, messages' bodies)."""

    lines: list[str] = field(default_factory=list)
    seen: dict[str, dict] = field(default_factory=dict)
    items: dict[str, QuizItem] = field(default_factory=dict)  # the quiz items asked, by step
    ticks: dict[str, int] = field(default_factory=dict)  # reminders sent by each tick
    learner_id: str = ""
    channel_id: int = 0
    inbox: Path | None = None
    db_path: Path | None = None
    commands: list[str] = field(default_factory=list)  # the slash commands the learner used
    refresh_seconds: float = 0.0  # from /note to the note being searchable (real time)
    messages_before_reminder: int = 0  # messages the bot posted in channels before the reminder's tick
    reminder_path: str = ""  # where the reminder was posted (REST path)


@contextlib.asynccontextmanager
async def running_bot(workdir: Path, analyzer: Analyzer, clock: Clock) -> AsyncIterator[tuple[FakeDiscord, ManabiBot, int]]:
    """The fake Discord and the bot on it, as the entry point builds it (notes + inbox,
    the watcher on); yields (fake, bot, note role id)."""
    async with fake_discord() as fake:
        role = fake.add_role("ノート係", members=(fake.plain_user,))
        inbox = workdir / "inbox"
        inbox.mkdir(parents=True, exist_ok=True)  # the entry point makes it; the watcher needs it
        service = AnswerService(
            SHIPPED_CORPUS, analyzer, db_path=workdir / "manabi.db", zone=TOKYO, clock=clock,
            extra_folders=(NotesFolder(inbox, "inbox", required=False),),
        )
        try:
            capture = Capture(inbox, frozenset({role}), lambda: clock().astimezone(TOKYO))
            bot = ManabiBot(
                service, guild_id=fake.guild_id, cooldown=UserCooldown(rate=100, per=1.0), capture=capture,
                watch=WatchMode.AUTO, guild_ready_timeout=0.1,
            )
            bot.reminder_loop.start = lambda: None  # the scenario ticks it
            task = await connect(bot, fake.token)
            try:
                yield fake, bot, role
            finally:
                await disconnect(bot, task)
        finally:
            service.close()


# ---------------------------------------------------------------- the transcript


class Transcript:
    def __init__(self, day: StudyDay, fake: FakeDiscord, clock: Clock) -> None:
        self.day, self.fake, self.clock = day, fake, clock
        self.names = {fake.bot_user["id"]: "manabi", fake.plain_user["id"]: "学習者", fake.admin_user["id"]: "admin"}
        self._date = None

    def _stamp(self) -> str:
        now = self.clock.local()
        if now.date() != self._date:
            self._date = now.date()
            if self.day.lines:
                self.day.lines.append("")
            self.day.lines.append(f"── {now:%Y-%m-%d}（{WEEKDAYS[now.weekday()]}） ──")
        return f"[{now:%H:%M}]"

    def readable(self, text: str) -> str:
        text = re.sub(r"<@!?(\d+)>", lambda m: "@" + self.names.get(m[1], m[1]), text)
        return re.sub(r"<#(\d+)>", lambda m: "#general" if int(m[1]) == self.fake.channel_id else m[0], text)

    def say(self, who: str, text: str) -> None:
        stamp = self._stamp()
        first, *rest = self.readable(text).split("\n")
        self.day.lines.append(f"{stamp} {who}: {first}".rstrip())
        self.day.lines.extend(f"        {line}" for line in rest)

    def note(self, text: str) -> None:
        """What happens without a message: said in brackets."""
        self.day.lines.append(f"{self._stamp()} （{text}）")

    def learner(self, text: str) -> None:
        self.say("学習者", text)

    def bot(self, data: dict, where: str = "") -> None:
        """A message from the bot, as the fake received it."""
        private = bool((data.get("flags") or 0) & EPHEMERAL)
        who = "manabi" + ("（学習者にだけ表示）" if private else "") + (f" → {where}" if where else "")
        lines = [data.get("content") or ""]
        for embed in data.get("embeds") or []:
            lines.append(f"  ┃ {embed.get('title', '')}")
            lines.extend(f"  ┃ {line}" for line in _clip_lines(_shown(embed.get("description", "")), 4))
            for f in embed.get("fields") or []:
                lines.append(f"  ┃ 【{f['name']}】")
                lines.extend(f"  ┃ {line}" for line in _clip_lines(_shown(f["value"]), 6))
            if embed.get("footer"):
                lines.append(f"  ┃ {embed['footer']['text']}")
        labels = [f"[{b.get('label', '')}]" for b in buttons(data)]
        if labels:
            lines.append("  " + " ".join(labels))
        mentions = data.get("allowed_mentions")
        if mentions and mentions.get("users"):
            pinged = ", ".join(self.names.get(str(u), str(u)) for u in mentions["users"])
            lines.append(f"  （通知されるのは: {pinged} だけ）")
        self.say(who, "\n".join(line for n, line in enumerate(lines) if n == 0 or line.strip()))


def _shown(markdown: str) -> str:
    """Text as Discord shows it: without the backslashes that escape its markup
    (bold marks stay, to show the highlighted words)."""
    return re.sub(r"\\(.)", r"\1", markdown)


def _clip_lines(text: str, count: int) -> list[str]:
    lines = [line if len(line) <= 70 else line[:69] + "…" for line in text.split("\n")]
    return lines if len(lines) <= count else [*lines[:count], "…"]


def buttons(data: dict) -> list[dict]:
    return [c for row in data.get("components") or [] for c in row["components"]]


# ---------------------------------------------------------------- the learner's actions


class Learner:
    """The learner at the keyboard: sends commands, messages and clicks as the plain
    member, and records what came back."""

    def __init__(self, fake: FakeDiscord, bot: ManabiBot, day: StudyDay, say: Transcript) -> None:
        self.fake, self.bot, self.day, self.say = fake, bot, day, say
        self.user = fake.plain_user

    async def command(self, name: str, options: dict | None = None) -> dict:
        shown = " ".join(f"{k}:{v}" for k, v in (options or {}).items())
        self.day.commands.append(name)
        self.say.learner(f"/{name} {shown}".strip())
        interaction = await self.fake.send_command(name, options, user=self.user)
        return await self.callback(interaction)

    async def callback(self, interaction: dict) -> dict:
        call = await self.fake.wait_for_callback(interaction)
        data = call.json.get("data") or {}
        if call.json["type"] == 5:  # deferred: the answer is a followup
            followup = await self.fake.wait_for_call("POST", rf"/webhooks/\d+/{re.escape(interaction['token'])}")
            data = followup.json
        if call.json["type"] != 9:  # a modal is not a message
            self.say.bot(data)
        return data

    async def ask(self, question: str) -> dict:
        """A question in chat, mentioning the bot; returns the reply's body."""
        self.say.learner(f"@manabi {question}")
        await self.fake.send_message(f"<@{self.fake.bot_user['id']}> {question}", author=self.user)
        reply = (await self.fake.wait_for_call("POST", MESSAGES)).json
        self.say.bot(reply)
        return reply

    async def click(self, button: dict, message_id: int | None = None, shown: str = "") -> dict:
        self.say.learner(f"[{button['label']}] を押す{shown}")
        interaction = await self.fake.send_component(button["custom_id"], message_id=message_id, user=self.user)
        return await self.callback(interaction)

    async def answer(self, shown: dict, how: str, message_id: int | None = None) -> tuple[QuizItem, dict]:
        """Answer the quiz item a message shows: "right", or "near" (a typo: a
        character left out, typed in the answer box); returns the item and the feedback."""
        item = self.item_in(shown)
        if item.kind is Kind.CHOICE:
            if how != "right":
                raise ValueError("a choice can only be right or wrong")
            right = _button(shown, f"manabi:c:{item.id}:{item.options.index(item.answer)}")
            return item, await self.click(right, message_id)
        if item.kind is Kind.REVEAL:
            revealed = await self.click(_button(shown, f"manabi:r:{item.id}"), message_id)
            grade = "覚えていた" if how == "right" else "難しかった"
            return item, await self.click(next(b for b in buttons(revealed) if b["label"] == grade))
        typed = item.answer if how == "right" else _typo(item.answer)
        modal = await self.click(_button(shown, f"manabi:a:{item.id}"), message_id)
        field_id = modal["components"][0]["components"][0]["custom_id"]
        self.say.learner(f"「{typed}」と入力して送信")
        submitted = await self.fake.send_modal_submit(modal["custom_id"], {field_id: typed}, user=self.user)
        return item, await self.callback(submitted)

    def item_in(self, shown: dict) -> QuizItem:
        """The item behind a quiz message's buttons (the learner reads the question)."""
        for button in buttons(shown):
            found = re.fullmatch(r"manabi:[car]:([0-9a-f]+)(?::\d)?(?::.*)?", button.get("custom_id", ""))
            if found:
                return self.bot.service.quiz_item(found[1])
        raise AssertionError(f"no quiz item in {shown}")

    def last_bot_message(self) -> int:
        """The id of the newest message the bot made (a reply, a response, a followup)."""
        bot_id = self.fake.bot_user["id"]
        return next(int(m["id"]) for m in reversed(self.fake.messages.values()) if m["author"]["id"] == bot_id)


def _button(data: dict, custom_id: str) -> dict:
    """The button of that custom_id, or of it and the /quiz topic it carries."""
    return next(b for b in buttons(data) if b["custom_id"] == custom_id or b["custom_id"].startswith(custom_id + ":"))


def _typo(answer: str) -> str:
    """The answer with one character left out, where a typo changes no meaning."""
    middle = len(answer) // 2
    return answer[:middle] + answer[middle + 1:]


async def wait_until_searchable(bot: ManabiBot, file: str, touch: Path) -> float:
    """Wait (real time) until the watcher has read the inbox file in; no /reload.

    The file is saved again, unchanged, every 2 s while not yet read: the watcher may
    have started just after the first save, and it sees only changes made while it
    watches."""
    loop = asyncio.get_running_loop()
    started = saved = loop.time()
    while not any(s.file == file for s in bot.service.corpus.sections):
        if loop.time() - started > REFRESH_DEADLINE_S:
            raise AssertionError(f"{file} not read in {REFRESH_DEADLINE_S} s without /reload")
        if loop.time() - saved > 2:
            touch.write_bytes(touch.read_bytes())
            saved = loop.time()
        await asyncio.sleep(0.05)
    return loop.time() - started


async def tick(bot: ManabiBot, day: StudyDay, say: Transcript, step: str) -> int:
    """The reminder loop's look at the clock (every 30 s in the running bot)."""
    sent = await bot.reminder_loop.tick()
    day.ticks[step] = sent
    if not sent:
        say.note("リマインダーの時刻。今日は復習する問題がないので、manabi は何も送らない")
    return sent


# ---------------------------------------------------------------- the day


async def study_day(workdir: Path, analyzer: Analyzer | None = None) -> StudyDay:
    """Live the study day on the fake Discord; returns the transcript and what was seen."""
    analyzer = analyzer or Analyzer()
    clock = Clock(FIRST_DAY.replace(hour=9, minute=12))
    day = StudyDay(inbox=workdir / "inbox", db_path=workdir / "manabi.db")
    async with running_bot(workdir, analyzer, clock) as (fake, bot, _role):
        say = Transcript(day, fake, clock)
        me = Learner(fake, bot, day, say)
        day.lines.append("（学習者: ロール「ノート係」を持つメンバー。manabi: ボット。時刻は注入した時計、Asia/Tokyo）")
        day.learner_id, day.channel_id = fake.plain_user["id"], fake.channel_id
        today = f"inbox/{FIRST_DAY:%Y-%m-%d}.md"

        # Morning: a note, then questions about it.
        day.seen["note"] = await me.command("note", {"text": NOTE_TEXT, "kind": LEARNED, "topic": NOTE_TOPIC})
        started = time.perf_counter()
        await wait_until_searchable(bot, today, day.inbox / f"{FIRST_DAY:%Y-%m-%d}.md")
        day.refresh_seconds = time.perf_counter() - started
        say.note(f"監視が {today} を読み込み、{day.refresh_seconds:.1f} 秒後には検索できる。/reload なし")

        clock.set(1, 9, 13)
        day.seen["answer"] = await me.ask(ANSWERED_QUESTION)

        clock.set(1, 9, 15)
        day.seen["unanswered"] = await me.ask(UNANSWERED_QUESTION)
        unclear = next(b for b in buttons(day.seen["unanswered"]) if b["label"] == f"{UNCLEAR}に追加")
        day.seen["unclear_saved"] = await me.click(unclear, me.last_bot_message())

        # A quiz on what was learned: two items, both right (one typed, one chosen).
        clock.set(1, 9, 20)
        day.seen["quiz"] = await me.command("quiz", {"topic": LEARNED})
        quiz_message = me.last_bot_message()
        day.items["quiz"], day.seen["quiz_feedback"] = await me.answer(day.seen["quiz"], "right", quiz_message)
        clock.set(1, 9, 21)
        day.seen["quiz_next"] = await me.click(next(b for b in buttons(day.seen["quiz_feedback"]) if b["label"] == "次の問題"))
        day.items["quiz_next"], day.seen["quiz_next_feedback"] = await me.answer(
            day.seen["quiz_next"], "right", me.last_bot_message()
        )

        clock.set(1, 9, 25)
        day.seen["remind"] = await me.command("remind", {"time": "21:00", "where": "here"})

        # Evening: the reminder's time, nothing due yet, so nothing is said.
        clock.set(1, 21, 0)
        await tick(bot, day, say, "day1")

        # The next morning, a new question from /quiz; that evening, still nothing due.
        clock.set(2, 8, 30)
        day.seen["quiz_day2"] = await me.command("quiz")
        day.items["quiz_day2"], day.seen["quiz_day2_feedback"] = await me.answer(
            day.seen["quiz_day2"], "right", me.last_bot_message()
        )
        clock.set(2, 21, 0)
        await tick(bot, day, say, "day2")

        # Two days after the first quiz, its items are due: the reminder comes.
        clock.set(3, 21, 0)
        day.messages_before_reminder = len(fake.calls("POST", MESSAGES))
        if not await tick(bot, day, say, "day3"):
            raise AssertionError("no reminder on the third evening")
        call = await fake.wait_for_call("POST", MESSAGES)
        day.seen["reminder"], day.reminder_path = call.json, call.path
        say.bot(call.json, where="#general")
        reminder_id = me.last_bot_message()

        clock.set(3, 21, 2)
        start = buttons(day.seen["reminder"])[0]
        shown = await me.click(start, reminder_id)
        day.seen["review1"] = shown
        day.items["review1"], day.seen["review1_feedback"] = await me.answer(shown, "near", me.last_bot_message())
        clock.set(3, 21, 3)
        follow = buttons(day.seen["review1_feedback"])[0]
        day.seen["review2"] = await me.click(follow, me.last_bot_message())
        day.items["review2"], day.seen["review2_feedback"] = await me.answer(
            day.seen["review2"], "right", me.last_bot_message()
        )

        clock.set(3, 21, 5)
        day.seen["stats"] = await me.command("stats")
    return day


def main() -> int:
    logging.basicConfig(level=logging.ERROR)
    with tempfile.TemporaryDirectory() as folder:
        day = asyncio.run(study_day(Path(folder)))
    sys.stdout.write("\n".join(day.lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
