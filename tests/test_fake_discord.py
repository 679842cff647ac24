"""Smoke tests: the real discord.py client works against tests/fake_discord.py."""

from __future__ import annotations

import asyncio
import contextlib
import io
import time
from typing import AsyncIterator

import discord
import pytest
import pytest_asyncio
import yarl
from discord import app_commands

from tests.fake_discord import EPHEMERAL, FakeDiscord

pytestmark = pytest.mark.asyncio

STARTUP_TIMEOUT = 5


@pytest_asyncio.fixture
async def fake(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord() as server:
        # The two settings a bot needs to talk to the fake instead of Discord.
        monkeypatch.setattr(discord.http.Route, "BASE", server.api_base)
        monkeypatch.setattr(discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL(server.gateway_url))
        yield server


def make_client(cls: type[discord.Client] = discord.Client) -> discord.Client:
    intents = discord.Intents.default()
    intents.message_content = True
    # guild_ready_timeout: discord.py waits this long after the last GUILD_CREATE before on_ready (default 2 s).
    return cls(intents=intents, guild_ready_timeout=0.1)


@contextlib.asynccontextmanager
async def running(client: discord.Client, token: str) -> AsyncIterator[discord.Client]:
    """Start the client, wait for on_ready (or its startup error), and close it afterwards."""
    ready = asyncio.Event()

    @client.event
    async def on_ready() -> None:
        ready.set()

    start = asyncio.create_task(client.start(token))
    waiting = asyncio.create_task(ready.wait())
    try:
        done, _ = await asyncio.wait({start, waiting}, timeout=STARTUP_TIMEOUT, return_when=asyncio.FIRST_COMPLETED)
        if start in done:
            start.result()  # raises the startup error
        assert waiting in done, "client did not become ready"
        yield client
    finally:
        waiting.cancel()
        await client.close()
        await asyncio.wait_for(start, STARTUP_TIMEOUT)


class MentionReplier(discord.Client):
    async def on_message(self, message: discord.Message) -> None:
        if message.author.bot or self.user not in message.mentions:
            return
        await message.reply(f"pong: {message.content}")


def mention(fake: FakeDiscord, text: str) -> str:
    return f"<@{fake.bot_user['id']}> {text}"


async def test_client_connects_and_sees_guild(fake: FakeDiscord) -> None:
    client = make_client()
    async with running(client, fake.token):
        guild = client.get_guild(fake.guild_id)
        assert guild is not None
        channel = guild.get_channel(fake.channel_id)
        assert isinstance(channel, discord.TextChannel)
        assert guild.get_role(fake.admin_role_id).permissions.manage_guild
        assert not guild.default_role.permissions.manage_guild
        assert client.user.id == int(fake.bot_user["id"])
        assert client.application_id == fake.application_id

        identify = fake.gateway_payloads(op=2)[-1]["d"]
        assert identify["intents"] == client.intents.value
        assert identify["token"] == fake.token
        me = fake.calls("GET", "/users/@me")[0]
        assert me.headers["Authorization"] == f"Bot {fake.token}"


async def test_mention_gets_a_reply(fake: FakeDiscord) -> None:
    async with running(make_client(MentionReplier), fake.token):
        sent = await fake.send_message(mention(fake, "hello"), author=fake.admin_user)
        call = await fake.wait_for_call("POST", rf"/channels/{fake.channel_id}/messages")
        assert call.json["content"] == f"pong: {sent['content']}"
        assert int(call.json["message_reference"]["message_id"]) == int(sent["id"])
        assert call.status == 200


async def test_dm_message_has_no_guild(fake: FakeDiscord) -> None:
    received: asyncio.Queue[discord.Message] = asyncio.Queue()

    class DMClient(discord.Client):
        async def on_message(self, message: discord.Message) -> None:
            if message.author != self.user:
                await received.put(message)
                await message.channel.send("got your DM", file=discord.File(io.BytesIO(b"neko"), "card.txt"))

    async with running(make_client(DMClient), fake.token):
        sent = await fake.send_message("konnichiwa", guild=False)
        message = await asyncio.wait_for(received.get(), 5)
        assert message.guild is None
        assert isinstance(message.channel, discord.DMChannel)
        assert message.content == "konnichiwa"
        call = await fake.wait_for_call("POST", rf"/channels/{sent['channel_id']}/messages")
        assert call.json["content"] == "got your DM"  # parsed from the multipart payload_json
        assert call.files == {"card.txt": b"neko"}


async def test_app_command_ephemeral_reply_deferral_and_followup(fake: FakeDiscord) -> None:
    client = make_client()
    tree = app_commands.CommandTree(client)

    @tree.command(description="Replies privately")
    async def ping(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("pong", ephemeral=True)

    @tree.command(description="Takes its time")
    async def slow(interaction: discord.Interaction, word: str) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        await interaction.edit_original_response(content=f"thinking about {word}")
        await interaction.followup.send(f"done: {word}", ephemeral=True)

    async def setup_hook() -> None:
        await tree.sync()

    client.setup_hook = setup_hook
    async with running(client, fake.token):
        synced = fake.calls("PUT", rf"/applications/{fake.application_id}/commands")[0]
        assert {c["name"] for c in synced.json} == {"ping", "slow"}

        interaction = await fake.send_command("ping")
        call = await fake.wait_for_callback(interaction)
        assert call.json["type"] == 4
        assert call.json["data"]["content"] == "pong"
        assert call.json["data"]["flags"] == EPHEMERAL

        interaction = await fake.send_command("slow", {"word": "neko"})
        call = await fake.wait_for_callback(interaction)
        assert call.json == {"type": 5, "data": {"flags": EPHEMERAL}}
        webhook = rf"/webhooks/{fake.application_id}/{interaction['token']}"
        edit = await fake.wait_for_call("PATCH", webhook + "/messages/@original")
        assert edit.json["content"] == "thinking about neko"
        followup = await fake.wait_for_call("POST", webhook)
        assert followup.json["content"] == "done: neko"
        assert followup.json["flags"] == EPHEMERAL
        assert followup.status == 200


async def test_message_content_needs_the_intent(fake: FakeDiscord) -> None:
    received: asyncio.Queue[str] = asyncio.Queue()

    class Listener(discord.Client):
        async def on_message(self, message: discord.Message) -> None:
            await received.put(message.content)

    async with running(Listener(intents=discord.Intents.default(), guild_ready_timeout=0.1), fake.token):
        await fake.send_message("hello everyone")
        await fake.send_message(mention(fake, "hello bot"))
        assert await asyncio.wait_for(received.get(), 5) == ""  # blanked, as Discord does
        assert await asyncio.wait_for(received.get(), 5) == mention(fake, "hello bot")


async def test_interaction_permissions_follow_roles(fake: FakeDiscord) -> None:
    client = make_client()
    tree = app_commands.CommandTree(client)

    @tree.command(description="Can you manage the server?")
    async def whoami(interaction: discord.Interaction) -> None:
        await interaction.response.send_message(str(interaction.permissions.manage_guild))

    async with running(client, fake.token):
        for user, expected in ((fake.admin_user, "True"), (fake.plain_user, "False")):
            call = await fake.wait_for_callback(await fake.send_command("whoami", user=user))
            assert call.json["data"]["content"] == expected


async def test_autocomplete_and_modal(fake: FakeDiscord) -> None:
    client = make_client()
    tree = app_commands.CommandTree(client)

    class Answer(discord.ui.Modal, title="Answer"):
        answer = discord.ui.TextInput(label="Your answer", custom_id="answer")

        async def on_submit(self, interaction: discord.Interaction) -> None:
            await interaction.response.send_message(f"you said {self.answer.value}")

    @tree.command(description="Quiz")
    async def quiz(interaction: discord.Interaction, level: str) -> None:
        await interaction.response.send_modal(Answer(custom_id="quiz-modal"))

    @quiz.autocomplete("level")
    async def level_choices(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=lvl, value=lvl) for lvl in ("N5", "N4", "N3") if current.upper() in lvl]

    async with running(client, fake.token):
        call = await fake.wait_for_callback(await fake.send_command("quiz", {"level": "4"}, focused="level"))
        assert call.json == {"type": 8, "data": {"choices": [{"name": "N4", "value": "N4"}]}}

        call = await fake.wait_for_callback(await fake.send_command("quiz", {"level": "N5"}))
        assert call.json["type"] == 9 and call.json["data"]["custom_id"] == "quiz-modal"

        call = await fake.wait_for_callback(await fake.send_modal_submit("quiz-modal", {"answer": "neko"}))
        assert call.json["data"]["content"] == "you said neko"


async def test_button_click_reaches_persistent_view(fake: FakeDiscord) -> None:
    class NextCard(discord.ui.View):
        def __init__(self) -> None:
            super().__init__(timeout=None)

        @discord.ui.button(label="Next", custom_id="manabi:next")
        async def next_card(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
            await interaction.response.send_message("next card", ephemeral=True)

    client = make_client()

    async def setup_hook() -> None:
        client.add_view(NextCard())

    client.setup_hook = setup_hook
    async with running(client, fake.token):
        call = await fake.wait_for_callback(await fake.send_component("manabi:next"))
        assert call.json["type"] == 4
        assert call.json["data"] == {"content": "next card", "flags": EPHEMERAL, "tts": False}


async def test_rate_limited_reply_is_retried(fake: FakeDiscord) -> None:
    async with running(make_client(MentionReplier), fake.token):
        fake.fail_next("POST", r"/channels/\d+/messages", status=429, retry_after=0.2)
        started = time.monotonic()
        await fake.send_message(mention(fake, "busy?"))
        await fake.wait_for_call("POST", r"/channels/\d+/messages")
        retried = await fake.wait_for_call("POST", r"/channels/\d+/messages")
        assert time.monotonic() - started >= 0.2
        assert [c.status for c in fake.calls("POST", r"/channels/\d+/messages")] == [429, 200]
        assert retried.json["content"].startswith("pong")


async def test_server_error_is_retried_once_after_a_second(fake: FakeDiscord) -> None:
    async with running(make_client(MentionReplier), fake.token):
        fake.fail_next("POST", r"/channels/\d+/messages", status=500)
        started = time.monotonic()
        await fake.send_message(mention(fake, "still there?"))
        await fake.wait_for_call("POST", r"/channels/\d+/messages")
        await fake.wait_for_call("POST", r"/channels/\d+/messages")
        assert time.monotonic() - started >= 1.0  # discord.py sleeps 1 + 2 * attempt seconds on 500/502/504/524
        assert [c.status for c in fake.calls("POST", r"/channels/\d+/messages")] == [500, 200]


@pytest.mark.parametrize("close_code", [4000, None], ids=["close-frame", "connection-lost"])
async def test_dropped_gateway_resumes(fake: FakeDiscord, close_code: int | None) -> None:
    client = make_client(MentionReplier)
    async with running(client, fake.token):
        session_id = client.ws.session_id
        await fake.drop_gateway(close_code)
        # Sent while the client is disconnected: the fake replays it after RESUME.
        await fake.send_message(mention(fake, "missed"))
        resume = await fake.wait_for_op(6)
        assert resume["session_id"] == session_id
        call = await fake.wait_for_call("POST", r"/channels/\d+/messages")
        assert call.json["content"] == "pong: " + mention(fake, "missed")

        await fake.send_message(mention(fake, "are you back?"))
        call = await fake.wait_for_call("POST", r"/channels/\d+/messages")
        assert call.json["content"] == "pong: " + mention(fake, "are you back?")
        assert len(fake.gateway_payloads(op=2)) == 1  # resumed, not identified again


async def test_wrong_token_fails_login(fake: FakeDiscord) -> None:
    client = make_client()
    started = time.monotonic()
    try:
        with pytest.raises(discord.LoginFailure):
            await asyncio.wait_for(client.start("not-the-token"), STARTUP_TIMEOUT)
    finally:
        await client.close()
    assert time.monotonic() - started < 1
    assert fake.calls("GET", "/users/@me")[0].status == 401


async def test_gateway_rejects_bad_token_with_4004(fake: FakeDiscord) -> None:
    client = make_client()
    token = fake.token

    async def setup_hook() -> None:
        fake.token = "rotated"  # REST login passed; the gateway now sees a stale token

    client.setup_hook = setup_hook
    try:
        with pytest.raises(discord.ConnectionClosed) as closed:
            await asyncio.wait_for(client.start(token), STARTUP_TIMEOUT)
    finally:
        await client.close()
    assert closed.value.code == 4004
