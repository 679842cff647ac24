"""The real discord.py client, running the bot, against tests/fake_discord.py on 127.0.0.1."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading

import pytest

from bot.core.scheduling import Rating
from bot.core.service import AnswerService
from bot.discord_bot.client import ManabiBot
from bot.discord_bot.cooldown import UserCooldown
from tests.bot_helpers import connect, disconnect
from tests.conftest import SHIPPED_CORPUS
from tests.fake_discord import EPHEMERAL, MESSAGE_CONTENT, FakeDiscord

MESSAGES = r"/channels/\d+/messages"


@pytest.fixture
async def start_bot(fake, analyzer, tmp_path):
    """Start ManabiBot against the fake; every bot started is stopped after the test."""
    running: list[tuple[ManabiBot, asyncio.Task]] = []

    async def start(service: AnswerService | None = None, **options) -> ManabiBot:
        service = service or AnswerService(SHIPPED_CORPUS, analyzer, db_path=tmp_path / "manabi.db")
        options.setdefault("guild_id", fake.guild_id)
        if options.get("cooldown") is None:
            options["cooldown"] = UserCooldown(rate=100, per=1.0)
        options.setdefault("guild_ready_timeout", 0.1)  # one guild: no need to wait 2 s for more
        bot = ManabiBot(service, **options)
        running.append((bot, await connect(bot, fake.token)))
        return bot

    yield start
    for bot, task in running:
        await disconnect(bot, task)
        bot.service.close()


def mention(fake: FakeDiscord, text: str) -> str:
    return f"<@{fake.bot_user['id']}> {text}"


async def test_a_mention_gets_the_right_section_without_pinging(fake, start_bot):
    await start_bot()
    message = await fake.send_message(mention(fake, "KVMとQEMUの違いは？"))
    reply = (await fake.wait_for_call("POST", MESSAGES)).json
    embed = reply["embeds"][0]
    assert embed["title"] == "仮想化 > proxmox"
    assert "**KVM**" in embed["description"] and "**QEMU**" in embed["description"]
    assert embed["footer"]["text"] == "出典: notes.md:20-27"
    assert str(reply["message_reference"]["message_id"]) == str(message["id"])
    assert reply["allowed_mentions"]["parse"] == []


async def test_a_long_section_is_an_excerpt_and_code_a_code_block(fake, start_bot, analyzer, tmp_path):
    notes = tmp_path / "notes"
    notes.mkdir()
    filler = "これは長い段落を作るための関係のない文です。" * 25  # 550 characters: one section of about 1,100
    (notes / "long.md").write_text(
        f"# 長い段落\n\n{filler}ペンギノスは南極の架空の鳥です。{filler}\n\n"
        "# コード\n\n```sh\ngrep -r '**ペンギノス**' .\n```\n",
        encoding="utf-8",
    )
    await start_bot(AnswerService(notes, analyzer, db_path=tmp_path / "manabi.db"))
    await fake.send_message(mention(fake, "ペンギノスとは？"))
    reply = (await fake.wait_for_call("POST", MESSAGES)).json
    prose = next(e["description"] for e in reply["embeds"] if e["title"] == "長い段落")
    assert prose.startswith("…") and prose.endswith("…") and "**ペンギノス**は南極" in prose
    assert len(prose.replace("**", "")) <= 602
    code = next(e["description"] for e in reply["embeds"] if e["title"] == "コード")
    assert code == "```\ngrep -r '**ペンギノス**' .\n```"  # as written: no bold marks, no escapes


async def test_a_dm_is_answered_and_intents_are_not_privileged(fake, start_bot):
    await start_bot()
    identify = fake.gateway_payloads(op=2)[0]["d"]
    assert not identify["intents"] & MESSAGE_CONTENT
    message = await fake.send_message("SMBとは？", guild=False)
    call = await fake.wait_for_call("POST", MESSAGES)
    assert call.path.endswith(f"/channels/{message['channel_id']}/messages")
    assert call.json["embeds"][0]["title"] == "ネットワークファイルシステム > SMB"


async def test_a_configured_channel_needs_no_mention(fake, start_bot):
    await start_bot(ask_channel_ids=frozenset({fake.channel_id}))
    assert fake.gateway_payloads(op=2)[0]["d"]["intents"] & MESSAGE_CONTENT
    await fake.send_message("準仮想化とは？")
    reply = (await fake.wait_for_call("POST", MESSAGES)).json
    assert reply["embeds"][0]["title"] == "準仮想化"


async def test_other_messages_and_bots_are_ignored(fake, start_bot):
    await start_bot()
    await fake.send_message("KVMとは？")  # no mention, not a configured channel
    await fake.send_message(mention(fake, "KVMとは？"), bot_author=True)
    await fake.send_message(mention(fake, "SMBとは？"))
    first = await fake.wait_for_call("POST", MESSAGES)
    assert first.json["embeds"][0]["title"] == "ネットワークファイルシステム > SMB"
    await asyncio.sleep(0.2)
    assert len(fake.calls("POST", MESSAGES)) == 1


@pytest.mark.parametrize(
    "text, expected",
    [
        ("", "質問をどうぞ"),
        ("😀🎉😀", "見つかりませんでした"),
        ("明日の予定は？", "見つかりませんでした"),
    ],
)
async def test_bad_questions_get_a_short_reply(fake, start_bot, text, expected):
    await start_bot()
    await fake.send_message(mention(fake, text))
    reply = (await fake.wait_for_call("POST", MESSAGES)).json
    assert expected in reply["content"]
    assert not reply.get("embeds")


async def test_a_refusal_names_the_words_the_notes_never_write(fake, start_bot):
    await start_bot()
    await fake.send_message(mention(fake, "EEVDFとBOREはどうやってタスクを選ぶの？"))
    reply = (await fake.wait_for_call("POST", MESSAGES)).json
    lines = reply["content"].splitlines()
    assert "見つかりませんでした" in lines[0]
    assert lines[1].startswith("ノートに出てこない言葉: EEVDF、BORE")
    assert "用語集.md に「- EEVDF = ノートでの名前」" in lines[2]


async def test_a_huge_question_is_answered_within_discord_limits(fake, start_bot):
    await start_bot()
    await fake.send_message(mention(fake, "KVMとQEMUの違いは？" + "あ" * 4000))
    reply = (await fake.wait_for_call("POST", MESSAGES)).json
    assert len(reply["content"]) <= 2000
    assert sum(len(e.get("title", "")) + len(e.get("description", "")) for e in reply["embeds"]) <= 6000


async def test_everyone_in_a_question_is_never_echoed_nor_pinged(fake, start_bot):
    await start_bot()
    await fake.send_message(mention(fake, "@everyone <@&123> 明日の予定は？"))
    reply = (await fake.wait_for_call("POST", MESSAGES)).json
    assert "見つかりませんでした" in reply["content"]
    assert "@everyone" not in reply["content"] and "<@&123>" not in reply["content"]
    assert reply["allowed_mentions"]["parse"] == []


@pytest.mark.parametrize(
    "content, expected",
    [
        ("<@123> KVMとQEMUは？", "KVMとQEMUは？"),
        ("<@!123>KVMとQEMUは？ <@456>", "KVMとQEMUは？"),
        ("<@&1> <#2> VT-dとは", "VT-dとは"),
        ("@everyone @here SMBとは <:kvm:123456> <a:spin:42>", "SMBとは"),
        ("email@here.example は？", "email@here.example は？"),  # not a mass mention
        ("<@1>\n<@&2>  ", ""),
        ("a <b> c", "a <b> c"),
    ],
)
def test_question_text_drops_every_mention_form_and_custom_emoji(content, expected):
    from bot.discord_bot.client import question_text

    assert question_text(content) == expected


@pytest.mark.parametrize(
    "others",
    [
        lambda fake: f"<@{fake.admin_user['id']}>",
        lambda fake: f"<@!{fake.admin_user['id']}>",
        lambda fake: f"<@&{fake.admin_role_id}>",
        lambda fake: f"<#{fake.channel_id}>",
        lambda fake: "@everyone @here",
        lambda fake: "<:qemu:112233445566778899>",
    ],
)
async def test_a_question_that_mentions_someone_else_is_answered(fake, start_bot, others):
    await start_bot()
    await fake.send_message(mention(fake, f"{others(fake)} KVMとQEMUの違いは？"))
    reply = (await fake.wait_for_call("POST", MESSAGES)).json
    assert reply["embeds"][0]["title"] == "仮想化 > proxmox"
    assert reply["allowed_mentions"]["parse"] == []


async def test_a_question_mentioning_someone_in_an_ask_channel_is_answered(fake, start_bot):
    await start_bot(ask_channel_ids=frozenset({fake.channel_id}))
    await fake.send_message(f"<@{fake.admin_user['id']}> KVMとQEMUの違いは？")
    reply = (await fake.wait_for_call("POST", MESSAGES)).json
    assert reply["embeds"][0]["title"] == "仮想化 > proxmox"


@pytest.mark.parametrize("case", ["hint", "cooldown", "answer"])
async def test_a_403_on_any_reply_is_logged_and_the_bot_keeps_answering(fake, start_bot, caplog, case):
    await start_bot(cooldown=UserCooldown(rate=1, per=60) if case == "cooldown" else None)
    first = {"hint": "", "cooldown": "KVMとは？", "answer": "KVMとは？"}[case]
    with caplog.at_level(logging.WARNING):
        if case == "cooldown":
            await fake.send_message(mention(fake, first))
            await fake.wait_for_call("POST", MESSAGES)
            fake.fail_next("POST", MESSAGES, status=403, code=50013)
            await fake.send_message(mention(fake, "SMBとは？"))  # cooled down: the reply is refused
        else:
            fake.fail_next("POST", MESSAGES, status=403, code=50013)
            await fake.send_message(mention(fake, first))
        refused = await fake.wait_for_call("POST", MESSAGES)
        assert refused.status == 403
        await fake.send_message(mention(fake, "SMBとは？"), author=fake.admin_user)
        reply = (await fake.wait_for_call("POST", MESSAGES)).json
    assert reply["embeds"][0]["title"] == "ネットワークファイルシステム > SMB"
    messages = [r.getMessage() for r in caplog.records]
    assert any("reply failed" in m and "403" in m for m in messages)
    assert not [r for r in caplog.records if r.exc_info], "an exception escaped on_message"


async def test_cooldown_answers_politely(fake, start_bot):
    await start_bot(cooldown=UserCooldown(rate=1, per=60))
    await fake.send_message(mention(fake, "KVMとは？"))
    await fake.send_message(mention(fake, "SMBとは？"))
    replies = [(await fake.wait_for_call("POST", MESSAGES)).json for _ in range(2)]
    assert sum("少し待って" in r["content"] for r in replies) == 1
    assert sum(bool(r.get("embeds")) for r in replies) == 1


async def test_slash_ask_defers_then_follows_up(fake, start_bot):
    await start_bot()
    synced = fake.commands[fake.guild_id]
    assert {c["name"] for c in synced} == {"ask", "quiz", "stats", "reload", "remind"}
    interaction = await fake.send_command("ask", {"question": "VT-dとは？"})
    callback = await fake.wait_for_callback(interaction)
    assert callback.json["type"] == 5  # deferred: searching may take a while
    followup = await fake.wait_for_call("POST", rf"/webhooks/\d+/{interaction['token']}")
    assert "**VT-d**: 外部デバイス" in followup.json["embeds"][0]["description"]
    assert followup.json["allowed_mentions"]["parse"] == []


async def test_slash_quiz_button_gives_ephemeral_feedback_and_stores_the_attempt(fake, start_bot, tmp_path):
    await start_bot()
    interaction = await fake.send_command("quiz", {"topic": "コンテナ"})
    callback = (await fake.wait_for_callback(interaction)).json
    assert callback["type"] == 4
    data = callback["data"]
    assert data["embeds"][0]["title"].startswith("クイズ: コンテナ")
    buttons = [c for row in data["components"] for c in row["components"]]
    labels = [b["label"] for b in buttons]
    assert "次の問題" in labels
    first = next(b for b in buttons if b["custom_id"].startswith(("manabi:c:", "manabi:r:")))
    click = await fake.send_component(first["custom_id"])
    feedback = (await fake.wait_for_callback(click)).json
    if first["custom_id"].startswith("manabi:r:"):  # reveal, then say you knew it
        assert feedback["data"]["flags"] & EPHEMERAL
        knew = feedback["data"]["components"][0]["components"][0]["custom_id"]
        click = await fake.send_component(knew)
        feedback = (await fake.wait_for_callback(click)).json
    assert feedback["data"]["flags"] & EPHEMERAL
    assert "出典" in feedback["data"]["content"]
    with sqlite3.connect(tmp_path / "manabi.db") as db:
        learners = [row[0] for row in db.execute("SELECT learner FROM attempts")]
    assert learners == [fake.plain_user["id"]]


async def test_quiz_topic_autocompletes_from_top_level_headings(fake, start_bot):
    await start_bot()
    interaction = await fake.send_command("quiz", {"topic": "仮想"}, focused="topic")
    callback = (await fake.wait_for_callback(interaction)).json
    assert callback["type"] == 8
    names = [c["name"] for c in callback["data"]["choices"]]
    assert "仮想化" in names and "準仮想化" in names and len(names) <= 25


async def test_buttons_work_after_a_restart(fake, start_bot, analyzer):
    bot = await start_bot()
    item = bot.service.next_quiz("someone", None)
    await bot.close()
    await start_bot()  # a new process would know nothing of the old message
    click = await fake.send_component(f"manabi:t:{item.id}:1")
    callback = (await fake.wait_for_callback(click)).json
    assert callback["data"]["flags"] & EPHEMERAL
    assert callback["data"]["embeds"][0]["description"] == item.question


async def test_stats_is_ephemeral(fake, start_bot):
    await start_bot()
    interaction = await fake.send_command("stats")
    callback = (await fake.wait_for_callback(interaction)).json
    assert callback["data"]["flags"] & EPHEMERAL


async def test_reload_is_for_server_managers_only(fake, start_bot):
    await start_bot()
    refused = await fake.send_command("reload", user=fake.plain_user)
    answer = (await fake.wait_for_callback(refused)).json
    assert answer["data"]["flags"] & EPHEMERAL and "権限" in answer["data"]["content"]
    allowed = await fake.send_command("reload", user=fake.admin_user)
    assert (await fake.wait_for_callback(allowed)).json["type"] == 5
    followup = await fake.wait_for_call("POST", rf"/webhooks/\d+/{allowed['token']}")
    assert "読み込み直しました" in followup.json["content"]


async def test_all_quiz_items_are_made_off_the_event_loop_at_start_and_after_a_reload(fake, start_bot):
    bot = await start_bot()
    first = bot.service.quiz
    await asyncio.wait_for(bot._quiz_task, 10)
    assert "items" in vars(first)  # made: /quiz, its topics and its buttons need not wait
    reload = await fake.send_command("reload", user=fake.admin_user)
    await fake.wait_for_call("POST", rf"/webhooks/\d+/{reload['token']}")
    assert bot.service.quiz is not first
    await asyncio.wait_for(bot._quiz_task, 10)
    assert "items" in vars(bot.service.quiz)


async def test_a_429_is_retried_and_the_reply_still_arrives(fake, start_bot):
    await start_bot()
    fake.fail_next("POST", MESSAGES, status=429, retry_after=0.3)
    await fake.send_message(mention(fake, "KVMとは？"))
    await fake.wait_for_call("POST", MESSAGES)
    retried = await fake.wait_for_call("POST", MESSAGES)
    assert retried.json["embeds"]


async def test_a_500_is_retried_and_logged(fake, start_bot, caplog):
    await start_bot()
    fake.fail_next("POST", MESSAGES, status=500)
    with caplog.at_level(logging.DEBUG, logger="discord.http"):
        await fake.send_message(mention(fake, "KVMとは？"))
        await fake.wait_for_call("POST", MESSAGES)
        retried = await fake.wait_for_call("POST", MESSAGES, timeout=15)
    assert retried.json["embeds"]
    assert any("returned 500" in r.getMessage() for r in caplog.records)


async def test_a_failed_reply_is_logged_and_the_bot_keeps_answering(fake, start_bot, caplog):
    await start_bot()
    fake.fail_next("POST", MESSAGES, status=503)  # discord.py does not retry a 503
    with caplog.at_level(logging.WARNING, logger="manabi.bot"):
        await fake.send_message(mention(fake, "KVMとは？"))
        await fake.wait_for_call("POST", MESSAGES)
        await fake.send_message(mention(fake, "SMBとは？"))
        reply = (await fake.wait_for_call("POST", MESSAGES)).json
    assert reply["embeds"][0]["title"] == "ネットワークファイルシステム > SMB"
    assert any("reply failed" in r.getMessage() and "503" in r.getMessage() for r in caplog.records)


async def test_the_bot_resumes_after_the_gateway_drops(fake, start_bot):
    await start_bot()
    await fake.drop_gateway()
    await fake.wait_for_op(6)  # RESUME
    await fake.send_message(mention(fake, "kerberosとは？"))
    reply = (await fake.wait_for_call("POST", MESSAGES)).json
    assert reply["embeds"][0]["title"] == "ネットワークファイルシステム"


async def test_a_typed_answer_through_the_modal_is_graded_and_stored(fake, start_bot, tmp_path):
    bot = await start_bot()
    item = next(i for i in bot.service.quiz.items if i.kind == "cloze" and i.answer == "libcontainer")
    click = await fake.send_component(f"manabi:a:{item.id}")
    modal = (await fake.wait_for_callback(click)).json
    assert modal["type"] == 9 and modal["data"]["custom_id"] == f"manabi:m:{item.id}"
    field = modal["data"]["components"][0]["components"][0]["custom_id"]
    submit = await fake.send_modal_submit(modal["data"]["custom_id"], {field: " LibContainer "})
    feedback = (await fake.wait_for_callback(submit)).json["data"]
    assert feedback["flags"] & EPHEMERAL and "正解" in feedback["content"] and "残念" not in feedback["content"]
    with sqlite3.connect(tmp_path / "manabi.db") as db:
        rows = db.execute("SELECT learner, item_id, correct FROM attempts").fetchall()
    assert rows == [(fake.plain_user["id"], item.id, 1)]


class SlowTopics(AnswerService):
    """A service whose topics wait until the test releases them: as if the quiz items
    of big notes were still being made. events records what happened in which order."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.release = threading.Event()
        self.events: list[str] = []

    def topics(self) -> tuple[str, ...]:
        self.release.wait(10)  # bounded: a test that fails must not hang
        self.events.append("topics made")
        return super().topics()


async def test_topic_autocomplete_never_blocks_the_event_loop(fake, start_bot, analyzer, tmp_path):
    service = SlowTopics(SHIPPED_CORPUS, analyzer, db_path=tmp_path / "manabi.db")
    bot = await start_bot(service)
    bot.topics_wait = 30  # wait for the topics, however slow, to see what the loop does meanwhile
    try:
        typing = await fake.send_command("quiz", {"topic": "仮想"}, focused="topic")
        stats = await fake.send_command("stats")
        assert (await fake.wait_for_callback(stats)).json["data"]["flags"] & EPHEMERAL
        service.events.append("stats answered")
    finally:
        service.release.set()
    choices = (await fake.wait_for_callback(typing)).json["data"]["choices"]
    assert service.events[:2] == ["stats answered", "topics made"]
    assert "仮想化" in [c["name"] for c in choices]


async def test_topic_autocomplete_answers_with_known_topics_while_items_are_made(fake, start_bot, analyzer, tmp_path):
    service = SlowTopics(SHIPPED_CORPUS, analyzer, db_path=tmp_path / "manabi.db")
    bot = await start_bot(service)
    bot.topics_wait = 0  # answer at once with what is known
    try:
        typing = await fake.send_command("quiz", {"topic": "仮想"}, focused="topic")
        first = (await fake.wait_for_callback(typing)).json["data"]["choices"]
        assert first == []  # nothing known yet: the learner may still type a topic
    finally:
        service.release.set()
    await asyncio.wait_for(bot._quiz_task, 10)
    typing = await fake.send_command("quiz", {"topic": "仮想"}, focused="topic")
    names = [c["name"] for c in (await fake.wait_for_callback(typing)).json["data"]["choices"]]
    assert "仮想化" in names and "準仮想化" in names
    # After a reload, while the new items are made, the topics known so far are offered.
    service.release.clear()
    try:
        reload = await fake.send_command("reload", user=fake.admin_user)
        await fake.wait_for_call("POST", rf"/webhooks/\d+/{reload['token']}")
        typing = await fake.send_command("quiz", {"topic": "仮想"}, focused="topic")
        assert [c["name"] for c in (await fake.wait_for_callback(typing)).json["data"]["choices"]] == names
        assert not bot._quiz_task.done()
    finally:
        service.release.set()
    await asyncio.wait_for(bot._quiz_task, 10)


def _seen_up_to(service: AnswerService, learner: str, topic: str, wanted) -> None:
    """Record the learner's answers to the topic's items before the first one wanted,
    so that it is the topic's next question for them (none comes due today)."""
    for item in service.quiz.items_for_topic(topic):
        if wanted(item):
            return
        service.record(learner, item, Rating.GOOD)
    raise AssertionError(f"no such item under {topic}")


def _buttons(data: dict) -> list[dict]:
    return [c for row in data["components"] for c in row["components"]]


@pytest.mark.parametrize("path", ["choice", "typed", "reveal"])
async def test_next_question_after_feedback_keeps_the_quiz_topic(fake, start_bot, path):
    bot = await start_bot()
    topic = "コンテナ"
    assert bot.service.topics()[0] != topic  # without the topic, the next question would come from elsewhere
    learner = fake.plain_user["id"]
    if path == "choice":
        _seen_up_to(bot.service, learner, topic, lambda i: i.options)
    else:
        _seen_up_to(bot.service, learner, topic, lambda i: not i.options and i.kind != "reveal")
    interaction = await fake.send_command("quiz", {"topic": topic})
    data = (await fake.wait_for_callback(interaction)).json["data"]
    assert data["embeds"][0]["title"].startswith(f"クイズ: {topic}")
    buttons = _buttons(data)
    if path == "choice":
        click = await fake.send_component(next(b["custom_id"] for b in buttons if b["custom_id"].startswith("manabi:c:")))
        feedback = (await fake.wait_for_callback(click)).json["data"]
    elif path == "typed":
        click = await fake.send_component(next(b["custom_id"] for b in buttons if b["label"] == "答える"))
        modal = (await fake.wait_for_callback(click)).json["data"]
        field = modal["components"][0]["components"][0]["custom_id"]
        submit = await fake.send_modal_submit(modal["custom_id"], {field: "わからない"})
        feedback = (await fake.wait_for_callback(submit)).json["data"]
    else:
        click = await fake.send_component(next(b["custom_id"] for b in buttons if b["label"] == "答えを見る"))
        revealed = (await fake.wait_for_callback(click)).json["data"]
        knew = next(b["custom_id"] for b in _buttons(revealed) if b["label"] == "覚えていた")
        click = await fake.send_component(knew)
        feedback = (await fake.wait_for_callback(click)).json["data"]
    assert "出典" in feedback["content"]
    next_button = next(b["custom_id"] for b in _buttons(feedback) if b["label"] == "次の問題")
    click = await fake.send_component(next_button)
    following = (await fake.wait_for_callback(click)).json["data"]
    assert following["embeds"][0]["title"].startswith(f"クイズ: {topic}")
    assert following["embeds"][0]["description"] != data["embeds"][0]["description"]
