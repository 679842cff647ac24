"""Capturing notes: the inbox files (bot/core/inbox.py), the inbox searched with the notes
and refreshed file by file (bot/core/library.py), and on the fake Discord: /note,
ノートに保存, わからなかったことに追加, who may add notes, and notes edited on disk
answered within seconds (bot/core/watch.py)."""

from __future__ import annotations

import asyncio
import re
import shutil
import subprocess
import sys
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.core import build
from bot.core.inbox import INTERESTING, KINDS, LEARNED, UNCLEAR, CapturedNote, InboxError, add_note, day_file
from bot.core.library import NotesFolder
from bot.core.notes import parse_notes
from bot.core.service import AnswerService
from bot.core.watch import WatchMode
from bot.discord_bot.capture import REFUSAL, Capture
from tests.conftest import ROOT, SHIPPED_CORPUS
from tests.fake_discord import EPHEMERAL
from tests.test_bot_e2e import MESSAGES, mention, start_bot  # noqa: F401 (a fixture)

TOKYO = ZoneInfo("Asia/Tokyo")
NOON = datetime(2026, 12, 1, 12, 0, tzinfo=TOKYO)
COMMENT = re.compile(r"<!-- manabi: (.*?) -->")


def bullets(text: str) -> list[str]:
    """Top-level bullets with their continuation lines."""
    out: list[str] = []
    for line in text.split("\n"):
        if line.startswith("- "):
            out.append(line)
        elif line.startswith("  ") and out:
            out[-1] += "\n" + line
    return out


# ---------------------------------------------------------------- inbox files


def test_notes_go_under_their_heading_in_the_days_file(tmp_path):
    add_note(tmp_path, CapturedNote("KVMはカーネルの仮想化機構", LEARNED, "KVM", "111", "https://discord.com/channels/1/2/3"), NOON)
    add_note(tmp_path, CapturedNote("virtioは速い", INTERESTING, author="222"), NOON)
    add_note(tmp_path, CapturedNote("IOMMUって何？", UNCLEAR), NOON)
    add_note(tmp_path, CapturedNote("QEMUはエミュレータ", LEARNED), NOON)
    path = tmp_path / "2026-12-01.md"
    text = path.read_text(encoding="utf-8")
    assert [l for l in text.split("\n") if l.startswith("#")] == [f"# {k}" for k in KINDS]
    sections = parse_notes(text, path.name)
    # The reader shows neither the bold marks nor the author and link comment.
    assert [(s.headings[0], s.text) for s in sections] == [
        (LEARNED, "- KVM: KVMはカーネルの仮想化機構"),
        (LEARNED, "- QEMUはエミュレータ"),
        (INTERESTING, "- virtioは速い"),
        (UNCLEAR, "- IOMMUって何？"),
    ]
    first = bullets(text)[0]
    assert first.endswith("<!-- manabi: author=111 link=https://discord.com/channels/1/2/3 -->")


def test_the_days_file_is_named_in_the_learners_time_zone(tmp_path):
    late_utc = datetime(2026, 11, 30, 15, 30, tzinfo=timezone.utc)  # 00:30 on Dec 1 in Tokyo
    assert day_file(tmp_path, late_utc.astimezone(TOKYO)).name == "2026-12-01.md"
    assert day_file(tmp_path, late_utc).name == "2026-11-30.md"


HOSTILE = [
    "# 見出しのふり",
    "```\nprint('fence never closed')",
    "~~~",
    "---",
    "上の行\n===",
    "* * *",
    "<!-- コメントを開いたまま",
    "閉じるだけ -->",
    "途中で <!-- manabi: author=evil --> 偽物",
    "一行目\n\n\n    インデントされたコード\n## 二段目の見出し\n- 入れ子の箇条書き",
    "あ" * 20_000,
    "\x00\x1b[31m制御文字\r\nCRLF",
]


def test_hostile_text_stays_inside_its_own_bullet(tmp_path):
    for n, text in enumerate(HOSTILE):
        add_note(tmp_path, CapturedNote(text, KINDS[n % 3], author=str(n)), NOON)
    add_note(tmp_path, CapturedNote("最後のメモ", UNCLEAR, author="last"), NOON)
    text = (tmp_path / "2026-12-01.md").read_text(encoding="utf-8")
    # Only our three headings start a line, no fence opens, and each note is one bullet
    # ending in its own comment.
    assert [l for l in text.split("\n") if l.startswith("#")] == [f"# {k}" for k in KINDS]
    assert not [l for l in text.split("\n") if re.match(r"\s{0,3}(```|~~~|#)", l) and l[2:] not in KINDS]
    found = bullets(text)
    assert len(found) == len(HOSTILE) + 1
    authors = [COMMENT.findall(b) for b in found]
    assert all(len(a) == 1 for a in authors), "one comment per bullet, at its end"
    assert sorted(a[0] for a in authors) == sorted([*(f"author={n}" for n in range(len(HOSTILE))), "author=last"])
    assert all(b.endswith("-->") for b in found)
    assert "あ" * 20_000 in text and "\x00" not in text and "\r" not in text
    # The reader of the notes sees each bullet under its heading, the last one too.
    sections = parse_notes(text, "inbox.md")
    assert all(s.headings[0] in KINDS for s in sections)  # (a short first line with more below names it too)
    assert sections[-1].headings == (UNCLEAR,) and "最後のメモ" in sections[-1].text


def test_hostile_text_stays_inside_its_bullet_for_a_commonmark_reader(tmp_path):
    markdown_it = pytest.importorskip("markdown_it")
    for n, text in enumerate(HOSTILE):
        add_note(tmp_path, CapturedNote(text, KINDS[n % 3], author=str(n)), NOON)
    tokens = markdown_it.MarkdownIt("commonmark").parse((tmp_path / "2026-12-01.md").read_text(encoding="utf-8"))
    top = [t for t in tokens if t.level == 0]
    assert [t.content for t in tokens if t.type == "inline" and t.level == 1 and tokens[tokens.index(t) - 1].type == "heading_open"] == list(KINDS)
    assert {t.type for t in top} <= {"heading_open", "inline", "heading_close", "bullet_list_open", "bullet_list_close"}
    items = [t for t in tokens if t.type == "list_item_open" and t.level == 1]
    assert len(items) == len(HOSTILE)


def test_concurrent_captures_in_threads_lose_nothing(tmp_path):
    def capture(worker: int) -> None:
        for n in range(20):
            add_note(tmp_path, CapturedNote(f"スレッド{worker}のメモ{n}", KINDS[n % 3]), NOON)

    threads = [threading.Thread(target=capture, args=(w,)) for w in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    text = (tmp_path / "2026-12-01.md").read_text(encoding="utf-8")
    assert sorted(bullets(text)) == sorted(f"- スレッド{w}のメモ{n}" for w in range(6) for n in range(20))


def test_concurrent_captures_in_two_processes_lose_nothing(tmp_path):
    script = (
        "import sys; from datetime import datetime; from pathlib import Path; "
        "from bot.core.inbox import CapturedNote, add_note, KINDS; "
        "when = datetime.fromisoformat('2026-12-01T12:00:00+09:00'); "
        "[add_note(Path(sys.argv[1]), CapturedNote(f'プロセス{sys.argv[2]}のメモ{n}', KINDS[n % 3]), when) for n in range(40)]"
    )
    processes = [
        subprocess.Popen([sys.executable, "-c", script, str(tmp_path), str(p)], cwd=ROOT) for p in range(2)
    ]
    assert [p.wait(timeout=60) for p in processes] == [0, 0]
    text = (tmp_path / "2026-12-01.md").read_text(encoding="utf-8")
    assert sorted(bullets(text)) == sorted(f"- プロセス{p}のメモ{n}" for p in range(2) for n in range(40))


def test_an_unwritable_inbox_is_one_clear_error(tmp_path):
    blocker = tmp_path / "notes"
    blocker.write_text("a file, not a folder")
    with pytest.raises(InboxError) as raised:
        add_note(blocker, CapturedNote("メモ"), NOON)
    assert str(blocker) in str(raised.value)


# A learner's "topic: explanation" notes, in the shapes Discord lets them write one: the
# /note topic option, or a bold label in the text as Discord shows it (the colon inside
# the bold, which CommonMark does not close before a letter).
LABELLED = [
    ("ゾルゲン", CapturedNote("架空の仮想マシンを動かすための管理ソフト", topic="ゾルゲン")),
    ("ペリドット", CapturedNote("**ペリドット**: 架空のストレージを束ねて共有する仕組み")),
    ("Mirabel", CapturedNote("**Mirabel：**架空のネットワークで通信を暗号化する方式")),
    ("Quillon", CapturedNote("**Quillon:** 架空のコンテナを並べて起動する道具")),
    ("Tessaly", CapturedNote("架空の認証情報をまとめて配る仕組み", topic="**Tessaly**")),
    ("Oriel", CapturedNote("架空のファイルを別のサーバーに写す仕組み", topic="Oriel："),),
    ("Varnel", CapturedNote("**Varnel**: 架空のログを集めて検索できるようにする道具", topic="Varnel")),
]


def test_a_topic_label_makes_a_term_item_and_no_markup_leaks(analyzer, tmp_path):
    inbox = tmp_path / "inbox"
    for _, note in LABELLED:
        add_note(inbox, note, NOON)
    text = (inbox / "2026-12-01.md").read_text(encoding="utf-8")
    labels = [b.split("\n")[0] for b in bullets(text)]
    assert [l[: l.index(":") + 1] for l in labels] == [f"- **{term}**:" for term, _ in LABELLED]
    service = AnswerService(inbox, analyzer)
    assert all("*" not in s.text for s in service.corpus.sections)
    items = service.quiz.items
    for term, note in LABELLED:
        explanation = next(s.text for s in service.corpus.sections if term in s.text).split(": ", 1)[1]
        assert explanation.startswith("架空の") and term not in explanation  # the label is said once
        asked = [i for i in items if i.subject == term]
        assert {i.kind.value for i in asked} >= {"term", "reveal"}, term
        assert next(i for i in asked if i.kind.value == "term").answer == term
        assert next(i for i in asked if i.kind.value == "reveal").answer == explanation
    for item in items:
        shown = [item.question, item.answer, *item.options]
        assert not any("*" in t or t.lstrip().startswith((":", "：")) for t in shown), item


def test_the_days_file_keeps_one_blank_line_between_its_parts(tmp_path):
    for n in range(5):
        add_note(tmp_path, CapturedNote(f"メモ{n}", LEARNED), NOON)
    add_note(tmp_path, CapturedNote("面白いメモ", INTERESTING), NOON)
    add_note(tmp_path, CapturedNote("謎のメモ", UNCLEAR), NOON)
    assert (tmp_path / "2026-12-01.md").read_text(encoding="utf-8") == (
        "# 学んだこと\n\n- メモ0\n- メモ1\n- メモ2\n- メモ3\n- メモ4\n\n"
        "# 面白かったこと\n\n- 面白いメモ\n\n# わからなかったこと\n\n- 謎のメモ\n"
    )


# ---------------------------------------------------------------- the inbox in the service


@pytest.fixture
def notes(tmp_path) -> Path:
    copy = tmp_path / "corpus"
    shutil.copytree(SHIPPED_CORPUS, copy)
    return copy


def inbox_service(analyzer, notes: Path, inbox: Path, **options) -> AnswerService:
    return AnswerService(notes, analyzer, extra_folders=(NotesFolder(inbox, "inbox", required=False),), **options)


def test_inbox_notes_are_searched_with_the_notes_and_shown_as_inbox(analyzer, notes, tmp_path):
    inbox = tmp_path / "inbox"
    service = inbox_service(analyzer, notes, inbox)  # no inbox folder yet: fine
    assert not service.ask("ゾルゲンフリッツとは？").found
    path = add_note(inbox, CapturedNote("ゾルゲンフリッツはテスト用の架空の仮想化ツール", LEARNED), NOON)
    refreshed = service.refresh([path])
    assert refreshed.changed == ("inbox/2026-12-01.md",)
    hit = service.ask("ゾルゲンフリッツとは？").hits[0]
    assert hit.section.file == "inbox/2026-12-01.md" and hit.section.headings == (LEARNED,)
    assert service.ask("KVMとQEMUの違いは？").hits[0].section.file == "notes.md"
    assert service.reload().sections == service.corpus.sections  # a full read agrees


def test_a_refresh_reads_only_the_changed_files_and_swaps_in_one_step(analyzer, notes, tmp_path, monkeypatch):
    service = inbox_service(analyzer, notes, tmp_path / "inbox")
    before = service.built
    read: list[str] = []
    real = build.parse_notes
    monkeypatch.setattr(build, "parse_notes", lambda text, file: read.append(file) or real(text, file))
    target = next(notes.glob("*.md"))
    target.write_text(target.read_text(encoding="utf-8") + "\n# 追記\n\n- ペンギノスはテスト用の新しい言葉\n", encoding="utf-8")
    service.refresh([target])
    assert read == [target.name]
    assert service.built is not before and before.search.search("ペンギノスとは", 3) == ()
    assert service.ask("ペンギノスとは？").hits[0].section.file == target.name
    assert service.quiz is service.built.quiz and service.search is service.built.search


def test_answers_and_quiz_items_in_flight_survive_swaps(analyzer, notes, tmp_path):
    service = inbox_service(analyzer, notes, tmp_path / "inbox")
    item = next(i for i in service.quiz.items if i.section.file == "notes.md")
    inbox = tmp_path / "inbox"
    errors: list[BaseException] = []
    stop = threading.Event()

    def ask() -> None:
        try:
            while not stop.is_set():
                answer = service.ask("KVMとQEMUの違いは？")
                assert answer.hits[0].section.title == "仮想化 > proxmox"
                assert all(q.section in {h.section for h in answer.hits} for q in answer.quiz)
                assert service.quiz_item(item.id) == item
        except BaseException as exc:  # reported below
            errors.append(exc)

    askers = [threading.Thread(target=ask) for _ in range(3)]
    for t in askers:
        t.start()
    try:
        for n in range(15):
            path = add_note(inbox, CapturedNote(f"スワップ中のメモ{n}"), NOON)
            service.refresh([path])
    finally:
        stop.set()
        for t in askers:
            t.join()
    assert not errors, errors[0]
    assert len([s for s in service.corpus.sections if s.file.startswith("inbox/")]) == 15


def test_a_file_that_cannot_be_read_keeps_its_previous_notes(analyzer, notes, tmp_path):
    service = inbox_service(analyzer, notes, tmp_path / "inbox")
    target = notes / "notes.md"
    before = [s for s in service.corpus.sections if s.file == "notes.md"]
    (notes / "extra.md").write_text("# 予備\n\n- 消えないように置いておくノート\n", encoding="utf-8")
    service.reload()
    target.write_bytes(b"# \xff\xfe broken\n- KVM")
    refreshed = service.refresh([target])
    assert refreshed.warnings and "notes.md" in refreshed.warnings[0]
    assert [s for s in service.corpus.sections if s.file == "notes.md"] == before
    target.unlink()
    assert service.refresh([target]).changed == ("notes.md",)
    assert not [s for s in service.corpus.sections if s.file == "notes.md"]


# ---------------------------------------------------------------- on the fake Discord


@pytest.fixture
def inbox(tmp_path) -> Path:
    return tmp_path / "inbox"


@pytest.fixture
def start_capturing(start_bot, analyzer, notes, inbox, tmp_path):
    """A bot over a copy of the notes plus an inbox, writing notes dated NOON in Tokyo."""

    async def start(note_role_ids=frozenset(), watch=WatchMode.OFF, **options):
        service = inbox_service(analyzer, notes, inbox, db_path=tmp_path / "manabi.db")
        capture = Capture(inbox, frozenset(note_role_ids), lambda: NOON)
        return await start_bot(service, capture=capture, watch=watch, **options)

    return start


def callback_data(call) -> dict:
    return call.json["data"]


async def test_note_command_saves_a_note_without_pinging(fake, start_capturing, inbox):
    await start_capturing()
    assert {"note", "ノートに保存"} <= {c["name"] for c in fake.commands[fake.guild_id]}
    text = f"<@{fake.plain_user['id']}> @everyone KVMはカーネルの中で動く"
    interaction = await fake.send_command(
        "note", {"text": text, "kind": INTERESTING, "topic": "仮想化"}, user=fake.admin_user
    )
    data = callback_data(await fake.wait_for_callback(interaction))
    assert data["flags"] & EPHEMERAL and "メモしました" in data["content"]
    assert data["allowed_mentions"]["parse"] == []
    assert "@everyone" not in data["content"] and f"<@{fake.plain_user['id']}>" not in data["content"]
    saved = (inbox / "2026-12-01.md").read_text(encoding="utf-8")
    bullet = bullets(saved)[0]
    assert bullet.startswith("- **仮想化**: ") and "KVMはカーネルの中で動く" in bullet
    assert f"author={fake.admin_user['id']}" in bullet
    assert saved.index("# 面白かったこと") < saved.index(bullet) < saved.index("# わからなかったこと")


async def test_others_get_a_short_ephemeral_refusal(fake, start_capturing, inbox):
    await start_capturing()
    interaction = await fake.send_command("note", {"text": "メモ"}, user=fake.plain_user)
    data = callback_data(await fake.wait_for_callback(interaction))
    assert data["flags"] & EPHEMERAL and data["content"] == REFUSAL
    dm = await fake.send_command("note", {"text": "メモ"}, user=fake.plain_user, guild=False)
    assert callback_data(await fake.wait_for_callback(dm))["content"] == REFUSAL
    assert not inbox.exists()


async def test_a_note_role_and_the_owner_in_dms_may_add_notes(fake, start_capturing, inbox):
    role = fake.add_role("note-takers", members=(fake.plain_user,))
    await start_capturing(note_role_ids={role})
    by_role = await fake.send_command("note", {"text": "ロールで追加"}, user=fake.plain_user)
    assert "メモしました" in callback_data(await fake.wait_for_callback(by_role))["content"]
    by_owner = await fake.send_command("note", {"text": "DMで追加"}, user=fake.admin_user, guild=False)
    assert "メモしました" in callback_data(await fake.wait_for_callback(by_owner))["content"]
    saved = (inbox / "2026-12-01.md").read_text(encoding="utf-8")
    assert "- ロールで追加" in saved and "- DMで追加" in saved and "/channels/@me/" in saved


async def test_save_to_notes_keeps_the_message_its_attachments_and_its_link(fake, start_capturing, inbox):
    await start_capturing()
    message = await fake.send_message(
        "SR-IOVは一枚のNICを複数に見せる\n# 見出しではない", author=fake.plain_user, attachments=["sriov.png", "memo.pdf"]
    )
    interaction = await fake.send_message_command("ノートに保存", message, user=fake.admin_user)
    data = callback_data(await fake.wait_for_callback(interaction))
    assert data["flags"] & EPHEMERAL and "メモしました" in data["content"]
    bullet = bullets((inbox / "2026-12-01.md").read_text(encoding="utf-8"))[0]
    assert bullet.startswith("- SR-IOVは一枚のNICを複数に見せる\n  \\# 見出しではない\n  添付: sriov.png, memo.pdf")
    link = f"https://discord.com/channels/{fake.guild_id}/{fake.channel_id}/{message['id']}"
    assert f"link={link}" in bullet and f"author={fake.plain_user['id']},saved_by={fake.admin_user['id']}" in bullet
    refused = await fake.send_message_command("ノートに保存", message, user=fake.plain_user)
    assert callback_data(await fake.wait_for_callback(refused))["content"] == REFUSAL


def buttons(payload: dict) -> list[dict]:
    return [c for row in payload.get("components", []) for c in row["components"]]


@pytest.mark.parametrize("long", [False, True])
async def test_an_unanswered_mention_offers_to_note_the_question(fake, start_capturing, inbox, long):
    await start_capturing()
    question = "明日の予定は？" + ("とても長い質問です。" * 12 if long else "")
    await fake.send_message(mention(fake, f"<@{fake.admin_user['id']}> {question}"))
    reply_call = await fake.wait_for_call("POST", MESSAGES)
    (button,) = buttons(reply_call.json)
    assert button["label"] == "わからなかったことに追加" and len(button["custom_id"]) <= 100
    reply = next(m for m in fake.messages.values() if m["components"] and m["author"]["id"] == fake.bot_user["id"])
    click = await fake.send_component(button["custom_id"], message_id=int(reply["id"]), user=fake.admin_user)
    data = callback_data(await fake.wait_for_callback(click))
    assert data["flags"] & EPHEMERAL and "わからなかったこと" in data["content"]
    saved = (inbox / "2026-12-01.md").read_text(encoding="utf-8")
    (bullet,) = bullets(saved)
    assert bullet.startswith(f"- {question} <!--")  # the other member's mention is not kept
    assert saved.index("# わからなかったこと") < saved.index(bullet)
    refused = await fake.send_component(button["custom_id"], message_id=int(reply["id"]), user=fake.plain_user)
    assert callback_data(await fake.wait_for_callback(refused))["content"] == REFUSAL


async def test_an_unanswered_slash_ask_offers_the_button_too_and_answers_do_not(fake, start_capturing, inbox):
    await start_capturing()
    interaction = await fake.send_command("ask", {"question": "明日の予定は？"})
    await fake.wait_for_callback(interaction)
    followup = (await fake.wait_for_call("POST", rf"/webhooks/\d+/{interaction['token']}")).json
    (button,) = buttons(followup)
    click = await fake.send_component(button["custom_id"], user=fake.admin_user)
    await fake.wait_for_callback(click)
    assert "- 明日の予定は？" in (inbox / "2026-12-01.md").read_text(encoding="utf-8")
    answered = await fake.send_command("ask", {"question": "KVMとは？"})
    await fake.wait_for_callback(answered)
    followup = (await fake.wait_for_call("POST", rf"/webhooks/\d+/{answered['token']}")).json
    assert "わからなかったことに追加" not in [b.get("label") for b in buttons(followup)]


async def test_a_long_unanswered_slash_ask_is_noted_from_the_reply(fake, start_capturing, inbox):
    await start_capturing()
    question = "明日の_予定_は？" + "とても長い質問です。" * 10  # too long to ride in the button
    interaction = await fake.send_command("ask", {"question": question})
    await fake.wait_for_callback(interaction)
    followup = (await fake.wait_for_call("POST", rf"/webhooks/\d+/{interaction['token']}")).json
    (button,) = buttons(followup)
    assert button["custom_id"] == "manabi:u:"
    reply = next(m for m in fake.messages.values() if m["components"] and m.get("webhook_id"))
    click = await fake.send_component(button["custom_id"], message_id=int(reply["id"]), user=fake.admin_user)
    await fake.wait_for_callback(click)
    (bullet,) = bullets((inbox / "2026-12-01.md").read_text(encoding="utf-8"))
    assert bullet.startswith(f"- {question} <!--")


async def ask_until_answered(fake, question: str, source: str, touch: Path, deadline_s: float = 20) -> dict:
    """Ask again until the answer comes from the file wanted, or the deadline passes.

    The file is saved again (same text) every 2 s while unanswered: the watcher may
    have started just after the first save, and a watcher sees only changes it was
    watching for."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + deadline_s
    saved = loop.time()
    while True:
        await fake.send_message(mention(fake, question))
        reply = (await fake.wait_for_call("POST", MESSAGES)).json
        embeds = reply.get("embeds") or []
        if embeds and source in embeds[0]["footer"]["text"]:
            return reply
        assert loop.time() < deadline, f"not answered from {source} in {deadline_s} s: {reply['content']}"
        if loop.time() - saved > 2:
            touch.write_bytes(touch.read_bytes())
            saved = loop.time()
        await asyncio.sleep(0.2)


@pytest.mark.parametrize("mode", [WatchMode.AUTO, WatchMode.POLL])
async def test_a_notes_file_edited_on_disk_is_answered_within_seconds(fake, start_capturing, notes, mode, caplog):
    bot = await start_capturing(watch=mode)
    target = notes / "notes.md"
    with caplog.at_level("INFO", logger="manabi.watch"):
        target.write_text(
            target.read_text(encoding="utf-8") + "\n# 新しいこと\n\n- ペンギノス: テスト用に書き足した架空の仮想化ツール\n",
            encoding="utf-8",
        )
        reply = await ask_until_answered(fake, "ペンギノスとは？", "notes.md", touch=target)
    assert reply["embeds"][0]["title"] == "新しいこと"
    assert any("notes refreshed: 1 file(s)" in r.getMessage() and "notes.md" in r.getMessage() for r in caplog.records)
    assert any("ペンギノス" in i.section.text for i in bot.service.quiz.items)  # quizzable too


async def test_a_captured_note_is_answered_within_seconds(fake, start_capturing, inbox):
    inbox.mkdir()  # the entry point makes it; the watcher watches folders that exist
    await start_capturing(watch=WatchMode.AUTO)
    note = await fake.send_command("note", {"text": "ケロベロスはテスト用の架空の認証方式"}, user=fake.admin_user)
    await fake.wait_for_callback(note)
    reply = await ask_until_answered(fake, "ケロベロスとは？", "inbox/2026-12-01.md", touch=inbox / "2026-12-01.md")
    assert reply["embeds"][0]["title"] == LEARNED


# ---------------------------------------------------------------- settings and the process


@pytest.mark.parametrize(
    "env, problem",
    [({"MANABI_WATCH": "sometimes"}, "MANABI_WATCH"), ({"MANABI_TIMEZONE": "Mars/Olympus"}, "MANABI_TIMEZONE"),
     ({"NOTE_ROLE_IDS": "12,abc"}, "NOTE_ROLE_IDS")],
)
def test_bad_capture_settings_are_one_clear_error(env, problem):
    from bot.discord_bot.settings import Settings, SettingsError

    with pytest.raises(SettingsError, match=problem):
        Settings.from_env({"DISCORD_TOKEN": "t", **env})


def test_capture_settings_and_their_defaults():
    from bot.discord_bot.settings import Settings

    default = Settings.from_env({"DISCORD_TOKEN": "t"})
    assert (default.notes_inbox, default.zone.key, default.watch, default.note_role_ids) == (None, "Asia/Tokyo", "auto", frozenset())
    custom = Settings.from_env(
        {"DISCORD_TOKEN": "t", "MANABI_NOTES_INBOX": "/data/notes", "MANABI_TIMEZONE": "UTC", "MANABI_WATCH": "POLL",
         "NOTE_ROLE_IDS": "1, 2"}
    )
    assert (custom.notes_inbox, custom.zone.key, custom.watch, custom.note_role_ids) == (
        Path("/data/notes"), "UTC", "poll", frozenset({1, 2}))


async def test_the_bot_process_saves_notes_beside_its_data_and_answers_from_them(tmp_path):
    from tests.fake_discord import FakeDiscord
    from tests.test_bot_process import start_bot_process

    lines: list[str] = []

    async def seen(text: str, deadline_s: float = 30) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + deadline_s
        while not any(text in line for line in lines):
            assert loop.time() < deadline, f"{text!r} not logged in {deadline_s} s: {lines}"
            await asyncio.sleep(0.1)

    async with FakeDiscord() as fake:
        process = await start_bot_process(
            tmp_path, DISCORD_TOKEN=fake.token, DISCORD_API_BASE=fake.api_base, DISCORD_GATEWAY_URL=fake.gateway_url,
            DISCORD_GUILD_ID=str(fake.guild_id), MANABI_WATCH="poll",
        )

        async def read_log() -> None:
            async for line in process.stderr:
                lines.append(line.decode(errors="replace"))

        reader = asyncio.create_task(read_log())
        try:
            await seen("connected as")
            note = await fake.send_command("note", {"text": "ゾルゲンフリッツはテスト用の架空の仮想化ツール"}, user=fake.admin_user)
            assert "メモしました" in (await fake.wait_for_callback(note, timeout=30)).json["data"]["content"]
            (saved,) = (tmp_path / "data" / "notes").glob("*.md")
            today = datetime.now(TOKYO).date()
            assert saved.name in {f"{today}.md", f"{today + timedelta(days=1)}.md"}  # around midnight
            await seen(f"inbox/{saved.name}")  # notes refreshed: ... inbox/<day>.md
            await fake.send_message(mention(fake, "ゾルゲンフリッツとは？"))
            reply = (await fake.wait_for_call("POST", MESSAGES)).json
            assert reply["embeds"][0]["footer"]["text"].startswith(f"出典: inbox/{saved.name}")
        finally:
            process.terminate()
            await asyncio.wait_for(process.wait(), 30)
            await asyncio.wait_for(reader, 10)
    log = "".join(lines)
    assert process.returncode == 0, log
    assert "note saved user=" in log and "notes refreshed: 1 file(s)" in log


async def test_a_note_with_a_discord_bold_label_is_quizzed_as_a_term(fake, start_capturing, inbox):
    bot = await start_capturing()
    note = await fake.send_command(
        "note", {"text": "**ゾルゲン：**架空の仮想マシンを動かすための管理ソフト"}, user=fake.admin_user
    )
    assert "メモしました" in callback_data(await fake.wait_for_callback(note))["content"]
    assert bullets((inbox / "2026-12-01.md").read_text(encoding="utf-8"))[0].startswith(
        "- **ゾルゲン**: 架空の仮想マシンを動かすための管理ソフト <!--"
    )
    reload = await fake.send_command("reload", user=fake.admin_user)
    await fake.wait_for_call("POST", rf"/webhooks/\d+/{reload['token']}")
    asked = [i for i in bot.service.quiz.items if i.section.file == "inbox/2026-12-01.md"]
    term = next(i for i in asked if i.kind.value == "term")
    assert term.answer == "ゾルゲン" and term.question.endswith("\n架空の仮想マシンを動かすための管理ソフト")
    assert not any("*" in i.question + i.answer for i in asked)
