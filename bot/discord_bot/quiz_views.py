"""Quiz messages and their buttons.

Every button is a DynamicItem whose custom_id carries what it needs (the item id,
the chosen option, the topic), so buttons keep working after a restart.
Feedback goes to the clicker only (ephemeral) and is recorded for the clicker.
"""

from __future__ import annotations

import asyncio
import logging

import discord

from bot.core.models import Kind, QuizItem
from bot.discord_bot.formatting import FIELD_LIMIT, clip

log = logging.getLogger("manabi.quiz")

TOPIC_ID_LIMIT = 60  # custom_id is 100 characters at most
BUTTON_LABEL_LIMIT = 80


def register(client: discord.Client) -> None:
    client.add_dynamic_items(TryButton, ChoiceButton, RevealButton, SelfGradeButton, AnswerButton, NextButton)


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


def quiz_view(item: QuizItem, topic: str | None) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    if item.options:
        for i, option in enumerate(item.options):
            view.add_item(ChoiceButton(item.id, i, label=f"{i + 1}. {option}"))
    else:
        if item.kind is not Kind.REVEAL:
            view.add_item(AnswerButton(item.id))
        view.add_item(RevealButton(item.id))
    view.add_item(NextButton(topic))
    return view


def try_quiz_view(items: tuple[QuizItem, ...]) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    for n, item in enumerate(items, start=1):
        view.add_item(TryButton(item.id, n))
    return view


async def send_next_quiz(interaction: discord.Interaction, service, topic: str | None, ephemeral: bool = False) -> None:
    if topic and topic not in service.topics():
        await interaction.response.send_message(f"「{clip(topic, 100)}」というトピックはノートにありません。", ephemeral=True)
        return
    item = await asyncio.to_thread(service.next_quiz, _learner(interaction), topic)
    if item is None:
        await interaction.response.send_message("出題できるクイズがありません。", ephemeral=True)
        return
    await interaction.response.send_message(embed=quiz_embed(item), view=quiz_view(item, topic), ephemeral=ephemeral)


async def _record_and_reply(interaction: discord.Interaction, item: QuizItem, correct: bool, said: str | None = None) -> None:
    await asyncio.to_thread(_service(interaction).record, _learner(interaction), item, correct)
    s = item.section
    if correct:
        head = "⭕ 正解です！"
    else:
        yours = f"（あなたの答え: {clip(said, 200)}）" if said else ""
        head = f"❌ 残念、正解は **{clip(item.answer, 500)}** です。{yours}"
    text = f"{head}\n出典: {s.title} ({s.file}:{s.line_start}-{s.line_end})\n> {clip(s.text, 1200).replace(chr(10), chr(10) + '> ')}"
    view = discord.ui.View(timeout=None)
    view.add_item(NextButton(None))
    await interaction.response.send_message(clip(text, 2000), view=view, ephemeral=True)


class _ItemButton:
    """For buttons that act on one quiz item: look it up (it may be gone after the
    notes changed) and hand it to on_item."""

    item_id: str

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


class ChoiceButton(_ItemButton, discord.ui.DynamicItem[discord.ui.Button], template=r"manabi:c:(?P<item>[0-9a-f]+):(?P<choice>\d)"):
    def __init__(self, item_id: str, choice: int, label: str = "") -> None:
        super().__init__(
            discord.ui.Button(
                label=clip(label or str(choice + 1), BUTTON_LABEL_LIMIT),
                style=discord.ButtonStyle.secondary,
                custom_id=f"manabi:c:{item_id}:{choice}",
                row=0,
            )
        )
        self.item_id = item_id
        self.choice = choice

    @classmethod
    async def from_custom_id(cls, interaction, item, match):
        return cls(match["item"], int(match["choice"]))

    async def on_item(self, interaction: discord.Interaction, item: QuizItem) -> None:
        chosen = item.options[self.choice] if self.choice < len(item.options) else ""
        await _record_and_reply(interaction, item, chosen == item.answer, chosen)


class RevealButton(_ItemButton, discord.ui.DynamicItem[discord.ui.Button], template=r"manabi:r:(?P<item>[0-9a-f]+)"):
    def __init__(self, item_id: str) -> None:
        super().__init__(discord.ui.Button(label="答えを見る", style=discord.ButtonStyle.secondary, custom_id=f"manabi:r:{item_id}"))
        self.item_id = item_id

    @classmethod
    async def from_custom_id(cls, interaction, item, match):
        return cls(match["item"])

    async def on_item(self, interaction: discord.Interaction, item: QuizItem) -> None:
        view = discord.ui.View(timeout=None)
        view.add_item(SelfGradeButton(item.id, True))
        view.add_item(SelfGradeButton(item.id, False))
        await interaction.response.send_message(
            clip(f"答え: **{item.answer}**\n覚えていましたか？", 2000), view=view, ephemeral=True
        )


class SelfGradeButton(_ItemButton, discord.ui.DynamicItem[discord.ui.Button], template=r"manabi:k:(?P<item>[0-9a-f]+):(?P<knew>[01])"):
    def __init__(self, item_id: str, knew: bool) -> None:
        super().__init__(
            discord.ui.Button(
                label="覚えていた" if knew else "忘れていた",
                style=discord.ButtonStyle.success if knew else discord.ButtonStyle.danger,
                custom_id=f"manabi:k:{item_id}:{int(knew)}",
            )
        )
        self.item_id = item_id
        self.knew = knew

    @classmethod
    async def from_custom_id(cls, interaction, item, match):
        return cls(match["item"], match["knew"] == "1")

    async def on_item(self, interaction: discord.Interaction, item: QuizItem) -> None:
        await _record_and_reply(interaction, item, self.knew)


class AnswerButton(_ItemButton, discord.ui.DynamicItem[discord.ui.Button], template=r"manabi:a:(?P<item>[0-9a-f]+)"):
    def __init__(self, item_id: str) -> None:
        super().__init__(discord.ui.Button(label="答える", style=discord.ButtonStyle.primary, custom_id=f"manabi:a:{item_id}"))
        self.item_id = item_id

    @classmethod
    async def from_custom_id(cls, interaction, item, match):
        return cls(match["item"])

    async def on_item(self, interaction: discord.Interaction, item: QuizItem) -> None:
        await interaction.response.send_modal(AnswerModal(item))


class AnswerModal(discord.ui.Modal, title="答えを入力"):
    answer = discord.ui.TextInput(label="答え", max_length=200)

    def __init__(self, item: QuizItem) -> None:
        super().__init__(custom_id=f"manabi:m:{item.id}")
        self.item = item
        self.answer.placeholder = clip(item.question, 100)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        said = self.answer.value
        correct = await asyncio.to_thread(_service(interaction).grade, self.item, said)  # Sudachi: off the loop
        await _record_and_reply(interaction, self.item, correct, said)


class NextButton(discord.ui.DynamicItem[discord.ui.Button], template=r"manabi:n:(?P<topic>.*)"):
    def __init__(self, topic: str | None) -> None:
        topic = topic if topic and len(topic) <= TOPIC_ID_LIMIT else ""
        super().__init__(discord.ui.Button(label="次の問題", style=discord.ButtonStyle.success, custom_id=f"manabi:n:{topic}", row=1))
        self.topic = topic or None

    @classmethod
    async def from_custom_id(cls, interaction, item, match):
        return cls(match["topic"])

    async def callback(self, interaction: discord.Interaction) -> None:
        await send_next_quiz(interaction, _service(interaction), self.topic, ephemeral=True)
