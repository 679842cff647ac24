"""Quiz messages and their buttons.

Every button is a DynamicItem whose custom_id carries what it needs (the item id,
the chosen option, the topic), so buttons keep working after a restart. The topic the
learner chose with /quiz rides along on every button of its question (answer options,
答える and its form, 答えを見る and the self-grades), so 次の問題 after the feedback
stays in that topic.
Feedback goes to the clicker only (ephemeral) and is recorded for the clicker, with
the rating FSRS schedules by: wrong -> Again, a near miss -> Hard, right -> Good, or
the learner's own 忘れた / 難しかった / 覚えていた after revealing the answer. It says
when the item comes back, and while reviews are due it offers the next one.
"""

from __future__ import annotations

import asyncio
import logging

import discord

from bot.core.models import Kind, QuizItem
from bot.core.scheduling import Rating
from bot.discord_bot.formatting import FIELD_LIMIT, clip

log = logging.getLogger("manabi.quiz")

TOPIC_ID_LIMIT = 60  # custom_id is 100 characters at most: "manabi:k:<12 hex>:g:" and a topic fit
# An optional last part of an item button's custom_id: the learner's /quiz topic.
_TOPIC = r"(?::(?P<topic>.*))?"
BUTTON_LABEL_LIMIT = 80


def register(client: discord.Client) -> None:
    client.add_dynamic_items(TryButton, ChoiceButton, RevealButton, SelfGradeButton, AnswerButton, NextButton, ReviewButton)


def _service(interaction: discord.Interaction):
    return interaction.client.service


def _learner(interaction: discord.Interaction) -> str:
    return str(interaction.user.id)


def quiz_embed(item: QuizItem) -> discord.Embed:
    s = item.section
    embed = discord.Embed(title=clip(f"クイズ: {s.title}", 256), description=clip(item.question, 4000), color=discord.Color.gold())
    if item.options:
        embed.add_field(
            name="選択肢",
            value=clip("\n".join(f"{i}. {o}" for i, o in enumerate(item.options, start=1)), FIELD_LIMIT),
            inline=False,
        )
    embed.set_footer(text=f"出典: {s.file}:{s.line_start}-{s.line_end}")
    return embed


def _carried(topic: str | None) -> str | None:
    """The topic as a custom_id can carry it: None when there is none or it is too long."""
    return topic if topic and len(topic) <= TOPIC_ID_LIMIT else None


def _topic_suffix(topic: str | None) -> str:
    return f":{topic}" if topic else ""


def quiz_view(item: QuizItem, topic: str | None) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    if item.options:
        for i, option in enumerate(item.options):
            view.add_item(ChoiceButton(item.id, i, label=f"{i + 1}. {option}", topic=topic))
    else:
        if item.kind is not Kind.REVEAL:
            view.add_item(AnswerButton(item.id, topic))
        view.add_item(RevealButton(item.id, topic))
    view.add_item(NextButton(topic))
    return view


def try_quiz_view(items: tuple[QuizItem, ...]) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    for n, item in enumerate(items, start=1):
        view.add_item(TryButton(item.id, n))
    return view


async def send_next_quiz(interaction: discord.Interaction, service, topic: str | None, ephemeral: bool = False) -> None:
    learner = _learner(interaction)

    def pick() -> tuple[bool, QuizItem | None]:  # all items and SQLite: off the event loop
        if topic and topic not in service.topics():
            return False, None
        return True, service.next_quiz(learner, topic)

    known, item = await asyncio.to_thread(pick)
    if not known:
        await interaction.response.send_message(f"「{clip(topic, 100)}」というトピックはノートにありません。", ephemeral=True)
        return
    if item is None:
        await interaction.response.send_message("出題できるクイズがありません。", ephemeral=True)
        return
    await interaction.response.send_message(embed=quiz_embed(item), view=quiz_view(item, topic), ephemeral=ephemeral)


async def _record_and_reply(
    interaction: discord.Interaction,
    item: QuizItem,
    rating: Rating,
    said: str | None = None,
    near_miss: bool = False,
    topic: str | None = None,
) -> None:
    """Record the answer and give the feedback, with what comes next: the next question
    of the learner's /quiz topic when they chose one, the due reviews while there are
    some, else the next question."""
    service, learner = _service(interaction), _learner(interaction)

    def record():  # SQLite: off the event loop
        return service.record(learner, item, rating), service.due_count(learner)

    review, remaining = await asyncio.to_thread(record)
    s = item.section
    answer = clip(item.answer, 500)
    if near_miss:
        head = f"🔺 惜しい！正しくは「{answer}」"
    elif rating is Rating.HARD:
        head = "🔺 難しかったですね。"
    elif rating is Rating.GOOD:
        head = "⭕ 正解です！"
    else:
        yours = f"（あなたの答え: {clip(said, 200)}）" if said else ""
        head = f"❌ 残念、正解は **{answer}** です。{yours}"
    lines = [head, f"⏰ {review.comes_back}"]
    if review.was_due and not remaining:
        lines.append("🎉 今日の復習はおしまいです！")
    source = f"出典: {s.title} ({s.file}:{s.line_start}-{s.line_end})\n> {clip(s.text, 1200).replace(chr(10), chr(10) + '> ')}"
    view = discord.ui.View(timeout=None)
    if remaining:
        view.add_item(ReviewButton(interaction.user.id, f"次の復習（あと {remaining} 問）"))
    if topic or not remaining:
        view.add_item(NextButton(topic))
    await interaction.response.send_message(clip("\n".join(lines) + "\n" + source, 2000), view=view, ephemeral=True)


class _ItemButton:
    """For buttons that act on one quiz item: look it up (it may be gone after the
    notes changed) and hand it to on_item."""

    item_id: str
    topic: str | None = None  # the learner's /quiz topic, for 次の問題 after the feedback

    async def callback(self, interaction: discord.Interaction) -> None:
        item = _service(interaction).quiz_item(self.item_id)
        if item is None:
            await interaction.response.send_message(
                "この問題はノートが更新されたため、もうありません。/quiz で新しい問題をどうぞ。", ephemeral=True
            )
            return
        await self.on_item(interaction, item)

    async def on_item(self, interaction: discord.Interaction, item: QuizItem) -> None:
        raise NotImplementedError


class TryButton(_ItemButton, discord.ui.DynamicItem[discord.ui.Button], template=r"manabi:t:(?P<item>[0-9a-f]+):(?P<n>\d+)"):
    def __init__(self, item_id: str, n: int) -> None:
        super().__init__(discord.ui.Button(label=f"クイズ{n}に挑戦", style=discord.ButtonStyle.primary, custom_id=f"manabi:t:{item_id}:{n}"))
        self.item_id = item_id

    @classmethod
    async def from_custom_id(cls, interaction, item, match):
        return cls(match["item"], int(match["n"]))

    async def on_item(self, interaction: discord.Interaction, item: QuizItem) -> None:
        await interaction.response.send_message(embed=quiz_embed(item), view=quiz_view(item, None), ephemeral=True)


class ChoiceButton(
    _ItemButton, discord.ui.DynamicItem[discord.ui.Button], template=r"manabi:c:(?P<item>[0-9a-f]+):(?P<choice>\d)" + _TOPIC
):
    def __init__(self, item_id: str, choice: int, label: str = "", topic: str | None = None) -> None:
        topic = _carried(topic)
        super().__init__(
            discord.ui.Button(
                label=clip(label or str(choice + 1), BUTTON_LABEL_LIMIT),
                style=discord.ButtonStyle.secondary,
                custom_id=f"manabi:c:{item_id}:{choice}{_topic_suffix(topic)}",
                row=0,
            )
        )
        self.item_id = item_id
        self.choice = choice
        self.topic = topic

    @classmethod
    async def from_custom_id(cls, interaction, item, match):
        return cls(match["item"], int(match["choice"]), topic=match["topic"])

    async def on_item(self, interaction: discord.Interaction, item: QuizItem) -> None:
        chosen = item.options[self.choice] if self.choice < len(item.options) else ""
        rating = Rating.GOOD if chosen == item.answer else Rating.AGAIN
        await _record_and_reply(interaction, item, rating, chosen, topic=self.topic)


class RevealButton(_ItemButton, discord.ui.DynamicItem[discord.ui.Button], template=r"manabi:r:(?P<item>[0-9a-f]+)" + _TOPIC):
    def __init__(self, item_id: str, topic: str | None = None) -> None:
        topic = _carried(topic)
        super().__init__(
            discord.ui.Button(
                label="答えを見る", style=discord.ButtonStyle.secondary, custom_id=f"manabi:r:{item_id}{_topic_suffix(topic)}"
            )
        )
        self.item_id = item_id
        self.topic = topic

    @classmethod
    async def from_custom_id(cls, interaction, item, match):
        return cls(match["item"], match["topic"])

    async def on_item(self, interaction: discord.Interaction, item: QuizItem) -> None:
        view = discord.ui.View(timeout=None)
        for rating in (Rating.AGAIN, Rating.HARD, Rating.GOOD):
            view.add_item(SelfGradeButton(item.id, rating, self.topic))
        await interaction.response.send_message(
            clip(f"答え: **{item.answer}**\n覚えていましたか？", 2000), view=view, ephemeral=True
        )


# The self-grades, in custom_ids: a letter each; "0" and "1" are the buttons of the SM-2
# release (忘れていた / 覚えていた), still in learners' chats.
_SELF_GRADES = {
    "a": (Rating.AGAIN, "忘れた", discord.ButtonStyle.danger),
    "h": (Rating.HARD, "難しかった", discord.ButtonStyle.secondary),
    "g": (Rating.GOOD, "覚えていた", discord.ButtonStyle.success),
}
_GRADE_LETTER = {rating: letter for letter, (rating, _, _) in _SELF_GRADES.items()}
_OLD_GRADES = {"0": "a", "1": "g"}


class SelfGradeButton(
    _ItemButton, discord.ui.DynamicItem[discord.ui.Button], template=r"manabi:k:(?P<item>[0-9a-f]+):(?P<grade>[01ahg])" + _TOPIC
):
    def __init__(self, item_id: str, rating: Rating, topic: str | None = None) -> None:
        letter = _GRADE_LETTER[rating]
        _, label, style = _SELF_GRADES[letter]
        topic = _carried(topic)
        super().__init__(discord.ui.Button(label=label, style=style, custom_id=f"manabi:k:{item_id}:{letter}{_topic_suffix(topic)}"))
        self.item_id = item_id
        self.rating = rating
        self.topic = topic

    @classmethod
    async def from_custom_id(cls, interaction, item, match):
        return cls(match["item"], _SELF_GRADES[_OLD_GRADES.get(match["grade"], match["grade"])][0], match["topic"])

    async def on_item(self, interaction: discord.Interaction, item: QuizItem) -> None:
        await _record_and_reply(interaction, item, self.rating, topic=self.topic)


class AnswerButton(_ItemButton, discord.ui.DynamicItem[discord.ui.Button], template=r"manabi:a:(?P<item>[0-9a-f]+)" + _TOPIC):
    def __init__(self, item_id: str, topic: str | None = None) -> None:
        topic = _carried(topic)
        super().__init__(
            discord.ui.Button(label="答える", style=discord.ButtonStyle.primary, custom_id=f"manabi:a:{item_id}{_topic_suffix(topic)}")
        )
        self.item_id = item_id
        self.topic = topic

    @classmethod
    async def from_custom_id(cls, interaction, item, match):
        return cls(match["item"], match["topic"])

    async def on_item(self, interaction: discord.Interaction, item: QuizItem) -> None:
        await interaction.response.send_modal(AnswerModal(item, self.topic))


class AnswerModal(discord.ui.Modal, title="答えを入力"):
    answer = discord.ui.TextInput(label="答え", max_length=200)

    def __init__(self, item: QuizItem, topic: str | None = None) -> None:
        super().__init__(custom_id=f"manabi:m:{item.id}")
        self.item = item
        self.topic = topic
        self.answer.placeholder = clip(item.question, 100)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        said = self.answer.value
        grade = await asyncio.to_thread(_service(interaction).grade, self.item, said)  # Sudachi: off the loop
        await _record_and_reply(interaction, self.item, grade.rating, said, grade.near_miss, self.topic)


class NextButton(discord.ui.DynamicItem[discord.ui.Button], template=r"manabi:n:(?P<topic>.*)"):
    def __init__(self, topic: str | None) -> None:
        topic = _carried(topic)
        super().__init__(discord.ui.Button(label="次の問題", style=discord.ButtonStyle.success, custom_id=f"manabi:n:{topic or ''}", row=1))
        self.topic = topic

    @classmethod
    async def from_custom_id(cls, interaction, item, match):
        return cls(match["topic"])

    async def callback(self, interaction: discord.Interaction) -> None:
        await send_next_quiz(interaction, _service(interaction), self.topic, ephemeral=True)


class ReviewButton(discord.ui.DynamicItem[discord.ui.Button], template=r"manabi:v:(?P<user>\d+)"):
    """Runs one learner's due reviews, one item after another: on a reminder (復習を
    始める) and after each answer while reviews are due. Only that learner may use it."""

    def __init__(self, user_id: int, label: str = "復習を始める") -> None:
        super().__init__(
            discord.ui.Button(label=clip(label, BUTTON_LABEL_LIMIT), style=discord.ButtonStyle.primary, custom_id=f"manabi:v:{user_id}")
        )
        self.user_id = user_id

    @classmethod
    async def from_custom_id(cls, interaction, item, match):
        return cls(int(match["user"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        if interaction.user.id != self.user_id:
            await interaction.response.send_message("これは別の人の復習です。自分のクイズは /quiz でどうぞ。", ephemeral=True)
            return
        service, learner = _service(interaction), _learner(interaction)
        item, due = await asyncio.to_thread(lambda: (service.next_review(learner), service.due_count(learner)))
        if item is None:
            view = discord.ui.View(timeout=None)
            view.add_item(NextButton(None))
            await interaction.response.send_message("いま復習する問題はありません。お疲れさまでした！", view=view, ephemeral=True)
            return
        await interaction.response.send_message(
            f"復習: あと {due} 問", embed=quiz_embed(item), view=quiz_view(item, None), ephemeral=True
        )


def review_view(user_id: int) -> discord.ui.View:
    """The start button under a reminder."""
    view = discord.ui.View(timeout=None)
    view.add_item(ReviewButton(user_id))
    return view
