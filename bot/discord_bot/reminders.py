"""/remind and the loop that sends daily review reminders.

`/remind time:21:00 [where: DM | here]` stores a reminder for the learner (in the
progress database: it survives restarts); `/remind time:off` removes it; `/remind`
alone says what is set. The loop looks every TICK_SECONDS for reminders whose time has
come (bot/core/reminders.py decides, from the service's clock) and sends
「今日の復習: 7 問」 with a button that starts the due items. A reminder in a channel
mentions its learner and no one else. All database work runs off the event loop.
"""

from __future__ import annotations

import asyncio
import logging
import unicodedata

import discord
from discord import app_commands

from bot.core.reminders import Reminder, ReminderError, Where, parse_time, reminder_text
from bot.discord_bot import quiz_views

log = logging.getLogger("manabi.reminders")

TICK_SECONDS = 30.0
_OFF = frozenset({"off", "オフ", "停止", "なし", "やめる"})


class ReminderLoop:
    """Sends the reminders that are due; tick() is one look, which tests call directly."""

    def __init__(self, bot: discord.Client, interval: float = TICK_SECONDS) -> None:
        self.bot = bot
        self.interval = interval
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    def stop(self) -> None:
        if self._task:
            self._task.cancel()

    async def _run(self) -> None:
        await self.bot.wait_until_ready()
        while not self.bot.is_closed():
            try:
                await self.tick()  # the first look, right after a start, sends what was missed today
            except Exception:
                log.exception("reminder check failed")
            await asyncio.sleep(self.interval)

    async def tick(self) -> int:
        """Send every reminder due now; returns how many were sent."""
        to_send = await asyncio.to_thread(self.bot.service.reminders_to_send)
        sent = 0
        for reminder, due in to_send:
            sent += await self._send(reminder, due)
        return sent

    async def _send(self, reminder: Reminder, due: int) -> bool:
        user_id = int(reminder.learner)
        text = reminder_text(due)
        if reminder.where is Where.HERE:
            content = f"<@{user_id}> {text}"
            allowed = discord.AllowedMentions(everyone=False, roles=False, users=[discord.Object(user_id)], replied_user=False)
        else:
            content, allowed = text, discord.AllowedMentions.none()
        channel = self.bot.get_partial_messageable(reminder.channel_id)
        try:
            await channel.send(content, view=quiz_views.review_view(user_id), allowed_mentions=allowed)
        except discord.HTTPException as exc:
            # Claimed for today already: a learner who closed their DMs is not retried all evening.
            log.warning("reminder failed user=%s channel=%s status=%s: %s", user_id, reminder.channel_id, exc.status, exc.text)
            return False
        log.info("reminder sent user=%s channel=%s due=%d", user_id, reminder.channel_id, due)
        return True


def register(bot) -> ReminderLoop:
    """Add /remind to the bot's command tree; the caller starts the returned loop."""
    tree: app_commands.CommandTree = bot.tree

    @tree.command(name="remind", description="毎日決まった時刻に、復習する問題があればお知らせします")
    @app_commands.describe(time="時刻（例: 21:00）。止めるときは off", where="送り先: DM か、このチャンネル（あなたにだけメンション）")
    @app_commands.choices(
        where=[app_commands.Choice(name="DM", value=Where.DM.value), app_commands.Choice(name="here", value=Where.HERE.value)]
    )
    async def remind(
        interaction: discord.Interaction,
        time: app_commands.Range[str, 1, 20] | None = None,
        where: app_commands.Choice[str] | None = None,
    ) -> None:
        await _remind(bot, interaction, time, Where(where.value) if where else Where.DM)

    return ReminderLoop(bot)


async def _remind(bot, interaction: discord.Interaction, text: str | None, where: Where) -> None:
    service, learner = bot.service, str(interaction.user.id)

    async def reply(message: str) -> None:
        await interaction.response.send_message(message, ephemeral=True)

    if text is None:
        current = await asyncio.to_thread(service.reminder, learner)
        await reply(_describe(current, service) if current else "リマインダーは設定されていません。/remind time:21:00 のように設定できます。")
        return
    if unicodedata.normalize("NFKC", text).strip().casefold() in _OFF:
        removed = await asyncio.to_thread(service.remove_reminder, learner)
        await reply("リマインダーを止めました。" if removed else "リマインダーは設定されていません。")
        return
    try:
        at = parse_time(text)
    except ReminderError as exc:
        await reply(f"{exc}（止めるときは off）")
        return
    if interaction.guild is None:
        where, channel_id = Where.DM, interaction.channel_id  # "here" is this DM
    elif where is Where.HERE:
        if not interaction.app_permissions.send_messages:
            await reply("このチャンネルにはメッセージを送れません。where:DM にするか、別のチャンネルで設定してください。")
            return
        channel_id = interaction.channel_id
    else:
        try:
            channel_id = (await interaction.user.create_dm()).id
        except discord.HTTPException:
            await reply("DM を開けませんでした。where:here でこのチャンネルに送ることもできます。")
            return
    reminder = await asyncio.to_thread(service.set_reminder, learner, at, where, channel_id)
    text = _describe(reminder, service)
    if reminder.handled_on is not None:  # set after today's time
        text += "\n今日の時刻は過ぎているので、明日からです。"
    await reply(text)


def _describe(reminder: Reminder, service) -> str:
    place = "DM" if reminder.where is Where.DM else f"<#{reminder.channel_id}>"
    return f"毎日 {reminder.at:%H:%M}（{service.zone}）に、復習する問題があれば {place} でお知らせします。止めるときは /remind time:off"
