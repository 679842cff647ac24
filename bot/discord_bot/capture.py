"""Capturing notes from Discord: /note, the message command ノートに保存, and the
わからなかったことに追加 button under a question the notes could not answer.

Notes are written by bot/core/inbox.py into the inbox folder, which the service reads
with the main notes (the watcher makes them searchable within seconds). Who may add
notes: members with Manage Server, members with a role in NOTE_ROLE_IDS, and the
application's owner (or its team) in DMs. Replies are ephemeral and never ping anyone.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import discord
from discord import app_commands

from bot.core.inbox import KINDS, LEARNED, UNCLEAR, CapturedNote, InboxError, add_note
from bot.discord_bot.formatting import clip

log = logging.getLogger("manabi.capture")

CUSTOM_ID_LIMIT = 100
_UNCLEAR_PREFIX = "manabi:u:"
QUESTION_ID_LIMIT = CUSTOM_ID_LIMIT - len(_UNCLEAR_PREFIX)
REFUSAL = "メモを追加できるのは、サーバー管理権限か決められたロールのある人だけです。"
ECHO_LIMIT = 300


@dataclass(frozen=True, slots=True)
class Capture:
    """Where notes go and who may add them (the bot holds one)."""

    inbox: Path
    note_role_ids: frozenset[int]
    now: Callable[[], datetime]  # aware, in the learner's time zone: it names the day's file


def register(bot) -> None:
    """Add /note, ノートに保存 and the button to a ManabiBot whose capture is set."""
    bot.add_dynamic_items(UnclearButton)
    tree = bot.tree

    @tree.command(name="note", description="学んだことなどをノートにメモします")
    @app_commands.describe(text="メモする内容", kind="種類（既定: 学んだこと）", topic="トピック（任意）")
    @app_commands.choices(kind=[app_commands.Choice(name=k, value=k) for k in KINDS])
    async def note(
        interaction: discord.Interaction,
        text: app_commands.Range[str, 1, 4000],
        kind: app_commands.Choice[str] | None = None,
        topic: app_commands.Range[str, 1, 100] | None = None,
    ) -> None:
        link = _channel_link(interaction)
        captured = CapturedNote(text, kind.value if kind else LEARNED, topic or "", str(interaction.user.id), link)
        await save(interaction, captured)

    @tree.context_menu(name="ノートに保存")
    async def save_message(interaction: discord.Interaction, message: discord.Message) -> None:
        await save(interaction, note_from_message(message, interaction.user.id))


def note_from_message(message: discord.Message, saved_by: int) -> CapturedNote:
    """The message's text (mentions shown as names), its attachments' names, its link."""
    text = message.clean_content.strip()
    names = [a.filename for a in message.attachments]
    if names:
        text = f"{text}\n添付: {', '.join(names)}".strip()
    author = str(message.author.id)
    if saved_by != message.author.id:
        author += f",saved_by={saved_by}"
    return CapturedNote(text or "（本文なし）", LEARNED, "", author, message.jump_url)


def may_add_notes(interaction: discord.Interaction, note_role_ids: frozenset[int]) -> bool:
    if interaction.guild is None:
        return interaction.user.id in _owner_ids(interaction.client)
    if interaction.permissions.manage_guild:
        return True
    return any(role.id in note_role_ids for role in getattr(interaction.user, "roles", ()))


def _owner_ids(client: discord.Client) -> set[int]:
    app = client.application
    if app is None:
        return set()
    if app.team:
        return {member.id for member in app.team.members}
    return {app.owner.id} if app.owner else set()


async def save(interaction: discord.Interaction, note: CapturedNote) -> None:
    """Check who asks, write the note off the event loop, and say so to them alone."""
    capture: Capture = interaction.client.capture
    if not may_add_notes(interaction, capture.note_role_ids):
        await interaction.response.send_message(REFUSAL, ephemeral=True)
        return
    try:
        path = await asyncio.to_thread(add_note, capture.inbox, note, capture.now())
    except InboxError as exc:
        log.warning("note not saved: %s", exc)
        await interaction.response.send_message(f"メモを保存できませんでした: {clip(str(exc), 300)}", ephemeral=True)
        return
    log.info("note saved user=%s kind=%s file=%s", interaction.user.id, note.kind, path.name)
    echo = discord.utils.escape_mentions(discord.utils.escape_markdown(clip(" ".join(note.text.split()), ECHO_LIMIT)))
    await interaction.response.send_message(
        f"「{note.kind}」にメモしました（{path.name}）: {echo}",
        ephemeral=True,
        allowed_mentions=discord.AllowedMentions.none(),
    )


def unclear_view(question: str) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(UnclearButton(question))
    return view


class UnclearButton(discord.ui.DynamicItem[discord.ui.Button], template=re.compile(r"manabi:u:(?P<q>.*)", re.DOTALL)):
    """Saves the question it was offered under (its text rides in the custom_id when it
    fits; else it is read from the question message the reply points to)."""

    def __init__(self, question: str) -> None:
        carried = question if len(question) <= QUESTION_ID_LIMIT else ""
        super().__init__(
            discord.ui.Button(
                label=f"{UNCLEAR}に追加", style=discord.ButtonStyle.secondary, emoji="📝",
                custom_id=_UNCLEAR_PREFIX + carried,
            )
        )
        self.question = carried

    @classmethod
    async def from_custom_id(cls, interaction, item, match):
        return cls(match["q"])

    async def callback(self, interaction: discord.Interaction) -> None:
        from bot.discord_bot.client import question_text

        question, link = self.question, ""
        reply = interaction.message
        source = reply.reference.resolved if reply is not None and reply.reference else None
        if isinstance(source, discord.Message):
            question = question or question_text(source.content)
            link = source.jump_url
        elif reply is not None:
            link = reply.jump_url
            question = question or _echoed_question(reply.content)
        if not question:
            await interaction.response.send_message("質問の文が見つかりませんでした。/note で追加してください。", ephemeral=True)
            return
        await save(interaction, CapturedNote(question, UNCLEAR, "", str(interaction.user.id), link))


def _echoed_question(content: str) -> str:
    """The question as the "not found" reply quotes it (clipped there if long)."""
    found = re.search(r"「(.+)」に関係する", content, re.DOTALL)
    return re.sub(r"\\(.)", r"\1", found.group(1)) if found else ""


def _channel_link(interaction: discord.Interaction) -> str:
    guild = interaction.guild_id or "@me"
    return f"https://discord.com/channels/{guild}/{interaction.channel_id}"
