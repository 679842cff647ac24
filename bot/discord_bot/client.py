"""The bot: questions in chat, /ask, /quiz, /stats and /reload over the AnswerService."""

from __future__ import annotations

import asyncio
import logging
import re
import time
from pathlib import Path

import discord
from discord import app_commands

from bot.core.models import Answer
from bot.core.notes import CorpusError
from bot.core.service import AnswerService, QuestionError, stats_text
from bot.core.watch import WatchMode, keep_fresh
from bot.discord_bot import capture as capture_commands
from bot.discord_bot import formatting, quiz_views, reminders
from bot.discord_bot.capture import Capture
from bot.discord_bot.cooldown import UserCooldown

log = logging.getLogger("manabi.bot")

HEARTBEAT_SECONDS = 30
# How long the /quiz topic list waits for quiz items still being made (Discord drops an
# autocomplete answer after 3 s); then it offers the topics known so far.
TOPICS_WAIT_SECONDS = 1.5
# Discord's markup for people, roles, channels and custom emoji, and the two mass
# mentions: none of it is a word a learner asks about (its digits would count as an
# unknown term, and the question would be refused).
_MARKUP = re.compile(r"<(?:@[!&]?|#)\d+>|<a?:\w+:\d+>|(?<![\w.+-])@(?:everyone|here)(?![A-Za-z0-9_.-])", re.ASCII)


class ManabiBot(discord.Client):
    def __init__(
        self,
        service: AnswerService,
        *,
        guild_id: int | None = None,
        ask_channel_ids: frozenset[int] = frozenset(),
        heartbeat_file: Path | None = None,
        cooldown: UserCooldown | None = None,
        capture: Capture | None = None,
        watch: WatchMode = WatchMode.OFF,
        **client_options,
    ) -> None:
        intents = discord.Intents.default()
        # Mentions and DMs carry their content without the privileged intent; only
        # reading every message of a channel needs it.
        intents.message_content = bool(ask_channel_ids)
        super().__init__(intents=intents, allowed_mentions=discord.AllowedMentions.none(), **client_options)
        self.service = service
        self.guild_id = guild_id
        self.ask_channel_ids = ask_channel_ids
        self.heartbeat_file = heartbeat_file
        self.cooldown = cooldown or UserCooldown(rate=3, per=10.0)
        self.tree = app_commands.CommandTree(self)
        self._heartbeat_task: asyncio.Task | None = None
        self._quiz_task: asyncio.Task | None = None  # held: asyncio keeps only weak references
        self._quiz_for: object = None  # the quiz engine _quiz_task makes the items of
        self._known_topics: tuple[str, ...] = ()  # the topics last made, offered while new ones are made
        self.topics_wait = TOPICS_WAIT_SECONDS
        self.capture = capture  # None: no /note, no ノートに保存, no わからなかったことに追加
        self.watch = watch
        self._watch_task: asyncio.Task | None = None
        _add_commands(self)
        self.reminder_loop = reminders.register(self)  # /remind, and the daily reminders
        if capture is not None:
            capture_commands.register(self)

    async def setup_hook(self) -> None:
        quiz_views.register(self)
        if self.guild_id:
            guild = discord.Object(self.guild_id)
            self.tree.copy_global_to(guild=guild)
            await self.tree.sync(guild=guild)  # a guild sync is instant
        else:
            await self.tree.sync()
        if self.heartbeat_file:
            self._heartbeat_task = asyncio.create_task(self._beat())
        self.prepare_quiz()
        self.reminder_loop.start()
        folders = [folder.path for folder in self.service.library.folders]
        self._watch_task = asyncio.create_task(keep_fresh(self.service, folders, self.watch))

    def prepare_quiz(self) -> asyncio.Task:
        """Make all quiz items and their topics now, off the event loop. They are made
        when first needed: an answer needs its hits' alone, but /quiz, its topic list and
        the buttons need them all, which takes a second or two at 10,000 sections."""
        self._quiz_for = self.service.quiz
        self._quiz_task = asyncio.create_task(asyncio.to_thread(self.service.topics))
        self._quiz_task.add_done_callback(self._remember_topics)
        return self._quiz_task

    def _remember_topics(self, task: asyncio.Task) -> None:
        if task.cancelled():
            return
        if task.exception() is not None:
            log.error("quiz items not made", exc_info=task.exception())
            return
        self._known_topics = task.result()

    async def quiz_topics(self) -> tuple[str, ...]:
        """The quiz's topics without blocking the event loop: made off it (by the task
        prepare_quiz started for the current notes, or a new one after the watcher
        swapped them in), waited for at most topics_wait seconds; while they are still
        being made, the topics known so far (none before the first are made)."""
        task = self._quiz_task
        if task is None or self._quiz_for is not self.service.quiz:
            task = self.prepare_quiz()
        if not task.done():
            try:
                await asyncio.wait_for(asyncio.shield(task), self.topics_wait)
            except TimeoutError:
                return self._known_topics
        if task.cancelled() or task.exception() is not None:
            return self._known_topics
        return task.result()

    async def close(self) -> None:
        for task in (self._heartbeat_task, self._watch_task):
            if task:
                task.cancel()
        self.reminder_loop.stop()
        await super().close()

    async def on_ready(self) -> None:
        log.info("connected as %s to %d guild(s)", self.user, len(self.guilds))
        self._write_heartbeat()

    async def _beat(self) -> None:
        """Refresh the heartbeat file while the gateway is up, for HEALTHCHECK."""
        while not self.is_closed():
            await asyncio.sleep(HEARTBEAT_SECONDS)
            self._write_heartbeat()

    def _write_heartbeat(self) -> None:
        if self.heartbeat_file and self.is_ready() and self.ws is not None and self.ws.open:
            self.heartbeat_file.parent.mkdir(parents=True, exist_ok=True)
            self.heartbeat_file.write_text(str(time.time()))

    # Questions in chat -------------------------------------------------------

    async def on_message(self, message: discord.Message) -> None:
        if message.author.bot or not self._is_addressed(message):
            return
        question = question_text(message.content)
        if not question:
            await _reply(message, content="質問をどうぞ。例: 「KVMとQEMUの違いは？」")
            return
        wait = self.cooldown.retry_after(message.author.id)
        if wait:
            await _reply(message, content=f"少し待ってから、もう一度聞いてください（あと {wait:.0f} 秒）。")
            return
        answer = await self.answer(question, message.author.id, message.channel.id)
        await _reply(message, **answer_payload(self.service, answer, offer_unclear=self.capture is not None))

    def _is_addressed(self, message: discord.Message) -> bool:
        return (
            message.guild is None
            or self.user in message.mentions
            or message.channel.id in self.ask_channel_ids
        )

    async def answer(self, question: str, user_id: int, channel_id: int) -> Answer:
        """Search off the event loop, and log one line per question."""
        started = time.perf_counter()
        answer = await asyncio.to_thread(self.service.ask, question)
        log.info(
            "answered user=%s channel=%s latency_ms=%.1f hits=%d",
            user_id, channel_id, (time.perf_counter() - started) * 1000, len(answer.hits),
        )
        return answer


def question_text(content: str) -> str:
    """The question in a chat message: without mentions (the bot's or anyone's), role
    and channel links, @everyone/@here and custom emoji, spaces collapsed."""
    return " ".join(_MARKUP.sub(" ", content).split())


async def _reply(message: discord.Message, **payload) -> None:
    """Reply without pinging; when Discord refuses or fails after discord.py's own
    retries (403 without permission to send, 5xx), log one line and go on."""
    payload.setdefault("allowed_mentions", discord.AllowedMentions.none())
    try:
        await message.reply(mention_author=False, **payload)
    except discord.HTTPException as exc:
        log.warning("reply failed channel=%s status=%s: %s", message.channel.id, exc.status, exc.text)


def answer_payload(service: AnswerService, answer: Answer, offer_unclear: bool = False) -> dict:
    """Message keyword arguments for an answer: text, embeds, and quiz buttons; for a
    question the notes say nothing about, a button to note it as not understood."""
    payload: dict = {
        "content": formatting.answer_content(answer),
        "allowed_mentions": discord.AllowedMentions.none(),
    }
    if not answer.hits and offer_unclear:
        payload["view"] = capture_commands.unclear_view(answer.question)
    if answer.hits:
        payload["embeds"] = formatting.answer_embeds(answer, lambda hit, before, after: service.excerpt(hit, before=before, after=after))
        if answer.quiz:
            payload["view"] = quiz_views.try_quiz_view(answer.quiz)
    return payload


def _add_commands(bot: ManabiBot) -> None:
    tree = bot.tree

    @tree.command(name="ask", description="ノートから質問の答えを探します")
    @app_commands.describe(question="知りたいこと（例: KVMとQEMUの違いは？）")
    async def ask(interaction: discord.Interaction, question: app_commands.Range[str, 1, 1000]) -> None:
        wait = bot.cooldown.retry_after(interaction.user.id)
        if wait:
            await interaction.response.send_message(
                f"少し待ってから、もう一度聞いてください（あと {wait:.0f} 秒）。", ephemeral=True
            )
            return
        await interaction.response.defer(thinking=True)
        try:
            answer = await bot.answer(question_text(question), interaction.user.id, interaction.channel_id)
        except QuestionError as exc:
            await interaction.followup.send(str(exc))
            return
        await interaction.followup.send(**answer_payload(bot.service, answer, offer_unclear=bot.capture is not None))

    @tree.command(name="quiz", description="あなたの復習スケジュールに合わせてクイズを出します")
    @app_commands.describe(topic="トピック（ノートの見出し）")
    async def quiz(interaction: discord.Interaction, topic: str | None = None) -> None:
        await quiz_views.send_next_quiz(interaction, bot.service, topic)

    @quiz.autocomplete("topic")
    async def quiz_topic(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        topics = [t for t in await bot.quiz_topics() if current.lower() in t.lower()]
        return [app_commands.Choice(name=formatting.clip(t, 100), value=t[:100]) for t in topics[:25]]

    @tree.command(name="stats", description="あなたの学習状況を表示します")
    async def stats(interaction: discord.Interaction) -> None:
        stats = await asyncio.to_thread(bot.service.stats, str(interaction.user.id))
        text = stats_text(stats)
        await interaction.response.send_message(text, ephemeral=True)

    @tree.command(name="reload", description="ノートを読み込み直します（サーバー管理権限が必要）")
    @app_commands.default_permissions(manage_guild=True)
    async def reload(interaction: discord.Interaction) -> None:
        # default_permissions only hides the command; check again, since server
        # admins can override it per channel.
        if not interaction.permissions.manage_guild:
            await interaction.response.send_message("このコマンドは「サーバー管理」権限のある人だけが使えます。", ephemeral=True)
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            corpus = await asyncio.to_thread(bot.service.reload)
        except CorpusError as exc:
            await interaction.followup.send(f"読み込めませんでした（前のノートをそのまま使います）: {exc}", ephemeral=True)
            return
        bot.prepare_quiz()
        warnings = "".join(f"\n⚠ {w}" for w in corpus.warnings)
        await interaction.followup.send(
            formatting.clip(f"ノートを読み込み直しました: {len(corpus.sections)} 個のセクション{warnings}", formatting.CONTENT_LIMIT),
            ephemeral=True,
        )
