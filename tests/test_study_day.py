"""One study day, end to end, on the fake Discord (the scenario is tests/study_day.py;
`python -m tests.study_day` prints its transcript): a note captured with /note and
answered from the inbox within seconds, an unanswered question kept with
わからなかったことに追加, a /quiz round, /remind, the reminder under an injected clock
and its start button running the due items, and /stats."""

from __future__ import annotations

import re
import sqlite3

from bot.core.inbox import LEARNED, UNCLEAR
from bot.core.notes import parse_notes
from bot.core.scheduling import Rating
from tests.fake_discord import EPHEMERAL
from tests.study_day import ANSWERED_QUESTION, NOTE_TEXT, NOTE_TOPIC, UNANSWERED_QUESTION, buttons, study_day

COMMENT = re.compile(r"<!-- manabi: author=(\d+) link=(\S+) -->")
INBOX_FILE = "inbox/2026-12-01.md"


def ephemeral(data: dict) -> bool:
    return bool((data.get("flags") or 0) & EPHEMERAL)


def labels(data: dict) -> list[str]:
    return [b["label"] for b in buttons(data)]


def days_until_back(feedback: dict) -> int:
    found = re.search(r"⏰ 次は (\d+) 日後", feedback["content"])
    assert found, feedback["content"]
    return int(found[1])


async def test_one_study_day_on_the_fake_discord(tmp_path, analyzer):
    day = await study_day(tmp_path, analyzer)
    seen, learner, channel = day.seen, day.learner_id, day.channel_id

    # Nothing the bot sent all day could ping anyone, but the reminder its learner.
    for step, data in seen.items():
        allowed = data["allowed_mentions"]
        assert allowed["parse"] == [], step
        assert [str(u) for u in allowed.get("users", [])] == ([learner] if step == "reminder" else []), step

    # 09:12 /note: saved under 学んだこと in the day's inbox file, said to the learner alone.
    assert ephemeral(seen["note"])
    assert seen["note"]["content"] == f"「{LEARNED}」にメモしました（2026-12-01.md）: {NOTE_TEXT}"
    saved = (day.inbox / "2026-12-01.md").read_text(encoding="utf-8")
    sections = parse_notes(saved, INBOX_FILE)
    assert [(s.headings, s.text) for s in sections] == [
        ((LEARNED,), f"- {NOTE_TOPIC}: {NOTE_TEXT}"),
        ((UNCLEAR,), f"- {UNANSWERED_QUESTION}"),
    ]
    (note_author, note_link), (unclear_author, unclear_link) = COMMENT.findall(saved)
    assert note_author == unclear_author == learner
    assert note_link.endswith(f"/{channel}")

    # 09:13 a question about it, answered from the inbox file without /reload.
    answer = seen["answer"]
    assert not ephemeral(answer) and "message_reference" in answer  # a reply to the question
    assert answer["content"] == f"「{ANSWERED_QUESTION}」について、ノートから見つけました。"
    top = answer["embeds"][0]
    assert top["title"] == LEARNED and top["footer"]["text"].startswith(f"出典: {INBOX_FILE}:")
    assert "**ソケットアクティベーション**" in top["description"]
    assert labels(answer) and all(label.startswith("クイズ") for label in labels(answer))  # no 追加 button
    assert "reload" not in day.commands

    # 09:15 a question the notes can't answer: the button keeps it under わからなかったこと.
    unanswered = seen["unanswered"]
    assert "見つかりませんでした" in unanswered["content"] and UNANSWERED_QUESTION in unanswered["content"]
    assert not unanswered.get("embeds") and labels(unanswered) == [f"{UNCLEAR}に追加"]
    assert ephemeral(seen["unclear_saved"])
    assert seen["unclear_saved"]["content"] == f"「{UNCLEAR}」にメモしました（2026-12-01.md）: {UNANSWERED_QUESTION}"
    assert unclear_link.endswith(f"/{channel}/{unanswered['message_reference']['message_id']}")  # the question

    # 09:20 /quiz topic:学んだこと asks about the captured note; each answer says when it comes back.
    quiz = seen["quiz"]
    assert quiz["embeds"][0]["title"] == f"クイズ: {LEARNED}"
    assert quiz["embeds"][0]["footer"]["text"].startswith(f"出典: {INBOX_FILE}:")
    assert day.items["quiz"].section.file == INBOX_FILE
    assert day.items["quiz_next"].section.file == INBOX_FILE  # 次の問題 keeps the topic
    assert day.items["quiz_next"] != day.items["quiz"]
    for step in ("quiz_feedback", "quiz_next_feedback", "quiz_day2_feedback"):
        assert ephemeral(seen[step]) and seen[step]["content"].startswith("⭕ 正解です！"), step
        assert days_until_back(seen[step]) == 2, step
        assert labels(seen[step]) == ["次の問題"]  # nothing due yet: no review button

    # 09:25 /remind time:21:00 where:here
    assert ephemeral(seen["remind"])
    assert seen["remind"]["content"].startswith("毎日 21:00（Asia/Tokyo）に、復習する問題があれば")
    assert f"<#{channel}>" in seen["remind"]["content"] and "明日から" not in seen["remind"]["content"]

    # 21:00 on the 1st and the 2nd: nothing due, nothing said. The only messages posted in
    # channels before the third evening are the two replies in chat.
    assert day.ticks == {"day1": 0, "day2": 0, "day3": 1}
    assert day.messages_before_reminder == 2

    # 21:00 on the 3rd: the two items of the 1st are due.
    reminder = seen["reminder"]
    assert day.reminder_path.endswith(f"/channels/{channel}/messages")
    assert reminder["content"] == f"<@{learner}> 今日の復習: 2 問" and not ephemeral(reminder)
    assert not reminder["allowed_mentions"].get("roles") and not reminder["allowed_mentions"].get("replied_user")
    (start,) = buttons(reminder)
    assert start["label"] == "復習を始める" and start["custom_id"] == f"manabi:v:{learner}"

    # Its start button runs the due items, most overdue first: a near miss, then a right answer.
    review1, feedback1 = seen["review1"], seen["review1_feedback"]
    assert ephemeral(review1) and review1["content"] == "復習: あと 2 問"
    assert day.items["review1"] == day.items["quiz"]
    assert feedback1["content"].startswith(f"🔺 惜しい！正しくは「{day.items['quiz'].answer}」")
    assert days_until_back(feedback1) > 2  # recalled: it comes back later than the first time
    assert labels(feedback1) == ["次の復習（あと 1 問）"] and buttons(feedback1)[0]["custom_id"] == start["custom_id"]
    review2, feedback2 = seen["review2"], seen["review2_feedback"]
    assert review2["content"] == "復習: あと 1 問" and day.items["review2"] == day.items["quiz_next"]
    assert feedback2["content"].startswith("⭕ 正解です！") and days_until_back(feedback2) > 2
    assert "🎉 今日の復習はおしまいです！" in feedback2["content"] and labels(feedback2) == ["次の問題"]

    # /stats: three days in a row, what is due, and the retention measured on the reviews.
    stats = seen["stats"]
    assert ephemeral(stats)
    lines = stats["content"].split("\n")
    assert f"{LEARNED}: 4 回中 4 回正解 (100%)" in lines  # both /quiz topic:学んだこと items, twice
    assert "合計: 5 回中 5 回正解 (100%)" in lines
    # Due this week: the 2nd's item, back on the 4th, and those of tonight's reviews that
    # FSRS's fuzz brought back within 6 days (whole days: 7 would be the 10th, 21:02).
    back_this_week = sum(days_until_back(f) <= 6 for f in (feedback1, feedback2))
    assert f"復習の予定: 今日 0 問 / 今週 {1 + back_this_week} 問" in lines
    assert "連続学習: 3 日" in lines
    assert "記憶率: 100% (覚えた問題の復習 2 回中 2 回正解)" in lines

    # What the learner did is in the progress file: FSRS ratings, for them.
    with sqlite3.connect(day.db_path) as db:
        attempts = db.execute("SELECT learner, item_id, rating FROM attempts ORDER BY id").fetchall()
    items = day.items
    assert attempts == [
        (learner, items["quiz"].id, Rating.GOOD),
        (learner, items["quiz_next"].id, Rating.GOOD),
        (learner, items["quiz_day2"].id, Rating.GOOD),
        (learner, items["quiz"].id, Rating.HARD),
        (learner, items["quiz_next"].id, Rating.GOOD),
    ]

    # The transcript reads like the day.
    text = "\n".join(day.lines)
    assert f"[09:12] 学習者: /note text:{NOTE_TEXT} kind:{LEARNED} topic:{NOTE_TOPIC}" in day.lines
    assert f"[09:12] manabi（学習者にだけ表示）: 「{LEARNED}」にメモしました（2026-12-01.md）: {NOTE_TEXT}" in day.lines
    assert f"[09:13] 学習者: @manabi {ANSWERED_QUESTION}" in day.lines
    assert "[21:00] manabi → #general: @学習者 今日の復習: 2 問" in day.lines
    assert text.index("── 2026-12-01（火） ──") < text.index("── 2026-12-02（水） ──") < text.index("── 2026-12-03（木） ──")
    assert "<@" not in text  # mentions shown as names
