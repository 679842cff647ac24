"""Reviews on time, end to end: the real discord.py client running the bot against
tests/fake_discord.py, with the service's clock injected and the reminder loop ticked
by the test (never waited on)."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.core.models import Kind
from bot.core.scheduling import Rating
from bot.core.service import AnswerService
from bot.discord_bot.client import ManabiBot
from bot.discord_bot.cooldown import UserCooldown
from tests.bot_helpers import connect, disconnect
from tests.conftest import SHIPPED_CORPUS, TOKYO, Clock, tokyo
from tests.fake_discord import EPHEMERAL, FakeDiscord

MESSAGES = r"/channels/\d+/messages"


@pytest.fixture
def clock():
    return Clock(tokyo(1, 9, 0))


@pytest.fixture
async def start_bot(fake, analyzer, tmp_path, clock):
    """Start ManabiBot on one database with the injected clock; stopped after the test.
    With manual=True the background reminder loop is stopped, so only the test ticks."""
    running: list[tuple[ManabiBot, asyncio.Task]] = []

    async def start(manual: bool = True) -> ManabiBot:
        service = AnswerService(SHIPPED_CORPUS, analyzer, db_path=tmp_path / "manabi.db", zone=TOKYO, clock=clock)
        bot = ManabiBot(service, guild_id=fake.guild_id, cooldown=UserCooldown(rate=100, per=1.0), guild_ready_timeout=0.1)
        if manual:
            bot.reminder_loop.start = lambda: None
        running.append((bot, await connect(bot, fake.token)))
        return bot

    yield start
    for bot, task in running:
        await disconnect(bot, task)
        bot.service.close()


async def stop(bot: ManabiBot) -> None:
    await bot.close()


async def callback(fake: FakeDiscord, interaction: dict) -> dict:
    return (await fake.wait_for_callback(interaction)).json["data"]


def buttons(data: dict) -> list[dict]:
    return [c for row in data.get("components", []) for c in row["components"]]


async def answer(fake: FakeDiscord, item, how: str = "right", user: dict | None = None, typed: str = "") -> dict:
    """Answer item through its buttons (or the modal): right, wrong, or near (typed,
    one character left out), or what is typed; returns the feedback's data."""
    user = user or fake.plain_user
    if item.kind is Kind.CHOICE:
        index = item.options.index(item.answer)
        choice = index if how == "right" else (index + 1) % len(item.options)
        return await callback(fake, await fake.send_component(f"manabi:c:{item.id}:{choice}", user=user))
    if item.kind is Kind.REVEAL:
        revealed = await callback(fake, await fake.send_component(f"manabi:r:{item.id}", user=user))
        grade = {b["label"]: b["custom_id"] for b in buttons(revealed)}
        label = {"right": "覚えていた", "near": "難しかった", "wrong": "忘れた"}[how]
        return await callback(fake, await fake.send_component(grade[label], user=user))
    modal = (await fake.wait_for_callback(await fake.send_component(f"manabi:a:{item.id}", user=user))).json["data"]
    field = modal["components"][0]["components"][0]["custom_id"]
    typed = typed or {"right": item.answer, "wrong": "わからない", "near": item.answer[:4] + item.answer[5:]}[how]
    return await callback(fake, await fake.send_modal_submit(modal["custom_id"], {field: typed}, user=user))


def rows(tmp_path, sql: str) -> list[tuple]:
    with sqlite3.connect(tmp_path / "manabi.db") as db:
        return db.execute(sql).fetchall()


# --- Ratings and feedback ---------------------------------------------------------------


async def test_a_typo_is_a_near_miss_rated_hard_and_every_answer_says_when_it_comes_back(fake, start_bot, tmp_path):
    bot = await start_bot()
    item = next(i for i in bot.service.quiz.items if i.kind is Kind.TERM and i.answer == "コントロールグループ")
    feedback = await answer(fake, item, "near")
    assert feedback["flags"] & EPHEMERAL
    assert feedback["content"].startswith("🔺 惜しい！正しくは「コントロールグループ」")
    assert "次は 15 分後" in feedback["content"]
    other = next(i for i in bot.service.quiz.items if i.kind is Kind.CLOZE and i.answer == "libcontainer")
    assert "⭕ 正解です！" in (right := await answer(fake, other, "right"))["content"] and "次は 2 日後" in right["content"]
    short = next(i for i in bot.service.quiz.items if i.kind in (Kind.TERM, Kind.CLOZE) and i.answer == "VT-d")
    wrong = await answer(fake, short, typed="VT-x")  # one letter off a short term is another term
    assert "❌ 残念、正解は **VT-d** です" in wrong["content"] and "次は 10 分後" in wrong["content"]
    assert rows(tmp_path, "SELECT item_id, rating, correct FROM attempts ORDER BY id") == [
        (item.id, Rating.HARD, 1), (other.id, Rating.GOOD, 1), (short.id, Rating.AGAIN, 0)
    ]


async def test_a_revealed_answer_is_self_graded_with_three_buttons(fake, start_bot, tmp_path):
    bot = await start_bot()
    reveals = [i for i in bot.service.quiz.items if i.kind is Kind.REVEAL][:3]
    revealed = await callback(fake, await fake.send_component(f"manabi:r:{reveals[0].id}"))
    assert [b["label"] for b in buttons(revealed)] == ["忘れた", "難しかった", "覚えていた"]
    for item, how in zip(reveals, ("wrong", "near", "right")):
        await answer(fake, item, how)
    assert [r for (r,) in rows(tmp_path, "SELECT rating FROM attempts ORDER BY id")] == [1, 2, 3]
    # A 覚えていた button from the SM-2 release, still in a chat, is Good.
    old = await callback(fake, await fake.send_component(f"manabi:k:{reveals[0].id}:1"))
    assert "正解" in old["content"]
    assert rows(tmp_path, "SELECT rating FROM attempts ORDER BY id DESC LIMIT 1") == [(3,)]


async def test_stats_show_the_streak_due_items_and_measured_retention(fake, start_bot, clock):
    bot = await start_bot()
    items = [i for i in bot.service.quiz.items if i.kind is Kind.CHOICE][:3]
    for item in items:
        await answer(fake, item, "right")
    clock.now += timedelta(days=3)
    await answer(fake, items[0], "right")
    await answer(fake, items[1], "wrong")
    stats = await callback(fake, await fake.send_command("stats"))
    assert stats["flags"] & EPHEMERAL
    text = stats["content"]
    assert "連続学習: 1 日" in text
    assert "復習の予定: 今日 2 問" in text  # items[1] again in 10 minutes, items[2] overdue
    assert "記憶率: 50% (覚えた問題の復習 2 回中 1 回正解)" in text


# --- /remind ---------------------------------------------------------------------------


async def test_remind_sets_shows_refuses_nonsense_and_turns_off(fake, start_bot, tmp_path):
    await start_bot()
    shown = await callback(fake, await fake.send_command("remind"))
    assert "設定されていません" in shown["content"] and shown["flags"] & EPHEMERAL
    bad = await callback(fake, await fake.send_command("remind", {"time": "25:00"}))
    assert "21:00 のように" in bad["content"]
    dm = await callback(fake, await fake.send_command("remind", {"time": "２１：００"}))
    assert "毎日 21:00（Asia/Tokyo）" in dm["content"] and "DM" in dm["content"]
    assert fake.calls("POST", r"/users/@me/channels")  # the DM opened to store where to send
    here = await callback(fake, await fake.send_command("remind", {"time": "7:30", "where": "here"}))
    assert "毎日 07:30" in here["content"] and f"<#{fake.channel_id}>" in here["content"]
    assert rows(tmp_path, "SELECT learner, at, place, channel_id FROM reminders") == [
        (fake.plain_user["id"], "07:30", "here", fake.channel_id)
    ]
    off = await callback(fake, await fake.send_command("remind", {"time": "off"}))
    assert "止めました" in off["content"] and rows(tmp_path, "SELECT * FROM reminders") == []


async def test_a_reminder_in_a_channel_mentions_only_its_learner_and_starts_the_due_items(fake, start_bot, clock, tmp_path):
    bot = await start_bot()
    learner = fake.plain_user
    await callback(fake, await fake.send_command("remind", {"time": "21:00", "where": "here"}))
    choices = [i for i in bot.service.quiz.items if i.kind is Kind.CHOICE][:3]
    for item in choices:  # 09:00 on the 1st: learned, back on the 3rd
        await answer(fake, item, "right")

    clock.now = tokyo(1, 21, 0)
    assert await bot.reminder_loop.tick() == 0  # nothing due today: not a word
    clock.now = tokyo(2, 21, 0)
    assert await bot.reminder_loop.tick() == 0
    assert not fake.calls("POST", MESSAGES)
    clock.now = tokyo(3, 20, 59)
    assert await bot.reminder_loop.tick() == 0
    clock.now = tokyo(3, 21, 0)
    assert await bot.reminder_loop.tick() == 1
    sent = await fake.wait_for_call("POST", MESSAGES)
    assert sent.path.endswith(f"/channels/{fake.channel_id}/messages")
    assert sent.json["content"] == f"<@{learner['id']}> 今日の復習: 3 問"
    mentions = sent.json["allowed_mentions"]
    assert mentions["parse"] == [] and [str(u) for u in mentions["users"]] == [learner["id"]] and not mentions.get("roles")
    [start] = buttons(sent.json)
    assert start["label"] == "復習を始める" and start["custom_id"] == f"manabi:v:{learner['id']}"
    assert await bot.reminder_loop.tick() == 0  # once a day

    # Someone else's click starts nothing.
    refused = await callback(fake, await fake.send_component(start["custom_id"], user=fake.admin_user))
    assert "別の人の復習" in refused["content"] and refused["flags"] & EPHEMERAL

    # The learner's click runs the due items, one after another, until none is left.
    shown = await callback(fake, await fake.send_component(start["custom_id"], user=learner))
    asked = []
    for left in (3, 2, 1):
        assert shown["flags"] & EPHEMERAL and shown["content"] == f"復習: あと {left} 問"
        item = next(i for i in choices if i.question == shown["embeds"][0]["description"])
        asked.append(item)
        feedback = await answer(fake, item, "right")
        assert "次は" in feedback["content"] and "日後" in feedback["content"]
        follow = buttons(feedback)[0]
        if left > 1:
            assert follow["label"] == f"次の復習（あと {left - 1} 問）" and follow["custom_id"] == start["custom_id"]
            shown = await callback(fake, await fake.send_component(follow["custom_id"], user=learner))
    assert sorted(i.id for i in asked) == sorted(i.id for i in choices)
    assert "今日の復習はおしまいです" in feedback["content"] and follow["label"] == "次の問題"
    done = await callback(fake, await fake.send_component(start["custom_id"], user=learner))
    assert "いま復習する問題はありません" in done["content"]


async def test_a_dm_reminder_pings_no_one_and_survives_a_restart_and_a_missed_time(fake, start_bot, clock):
    bot = await start_bot()
    await callback(fake, await fake.send_command("remind", {"time": "21:00"}))
    item = next(i for i in bot.service.quiz.items if i.kind is Kind.CHOICE)
    await answer(fake, item, "wrong")  # due again at 09:10
    await stop(bot)  # down from 09:00 ...

    clock.now = tokyo(1, 22, 30)  # ... to 22:30: the 21:00 reminder is sent on return, once
    bot = await start_bot(manual=False)
    sent = await fake.wait_for_call("POST", MESSAGES)
    dm_channel = fake.calls("POST", r"/users/@me/channels")[0]
    assert sent.json["content"] == "今日の復習: 1 問"
    assert sent.json["allowed_mentions"]["parse"] == [] and not sent.json["allowed_mentions"].get("users")
    assert sent.path.endswith(f"/channels/{fake._dm_channel_id(fake.plain_user)}/messages") and dm_channel
    assert await bot.reminder_loop.tick() == 0
    await stop(bot)

    clock.now = tokyo(3, 8, 0)  # down all evening of the 2nd: that day's reminder is not made up
    bot = await start_bot()
    assert await bot.reminder_loop.tick() == 0
    clock.now = tokyo(3, 21, 0)
    assert await bot.reminder_loop.tick() == 1
    assert (await fake.wait_for_call("POST", MESSAGES)).json["content"] == "今日の復習: 1 問"


async def test_a_reminder_that_discord_refuses_is_logged_and_not_retried_all_evening(fake, start_bot, clock, caplog):
    bot = await start_bot()
    await callback(fake, await fake.send_command("remind", {"time": "21:00", "where": "here"}))
    await answer(fake, next(i for i in bot.service.quiz.items if i.kind is Kind.CHOICE), "wrong")
    clock.now = tokyo(1, 21, 0)
    fake.fail_next("POST", MESSAGES, status=403, code=50001)
    assert await bot.reminder_loop.tick() == 0
    assert any("reminder failed" in r.getMessage() and "403" in r.getMessage() for r in caplog.records)
    clock.now = tokyo(1, 21, 30)
    assert await bot.reminder_loop.tick() == 0


# --- Settings ---------------------------------------------------------------------------


def test_settings_read_the_retention_and_the_time_zone():
    from bot.discord_bot.settings import Settings, SettingsError

    settings = Settings.from_env({"DISCORD_TOKEN": "t"})
    assert settings.retention == 0.9 and settings.zone == TOKYO
    settings = Settings.from_env({"DISCORD_TOKEN": "t", "MANABI_RETENTION": "0.85", "MANABI_TIMEZONE": "Europe/Paris"})
    assert settings.retention == 0.85 and settings.zone == ZoneInfo("Europe/Paris")
    for bad in ({"MANABI_RETENTION": "2"}, {"MANABI_TIMEZONE": "Nowhere/Land"}):
        with pytest.raises(SettingsError) as error:
            Settings.from_env({"DISCORD_TOKEN": "t", **bad})
        assert "\n" not in str(error.value) and next(iter(bad)) in str(error.value)


async def test_the_bot_process_refuses_a_bad_retention_in_one_line(tmp_path):
    from tests.test_bot_process import start_bot_process

    process = await start_bot_process(tmp_path, DISCORD_TOKEN="t", MANABI_RETENTION="often")
    _, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 2
    assert err.decode().strip().count("\n") == 0 and "MANABI_RETENTION" in err.decode()
