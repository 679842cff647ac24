"""A fake Discord API + gateway on 127.0.0.1 for tests.

The real, unmodified discord.py client talks to it once a test points the two
class attributes discord.py reads its URLs from at this server:

    discord.http.Route.BASE = fake.api_base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fake.gateway_url)

Everything else (READY's resume_gateway_url, interaction callbacks and
webhook followups, which discord.py builds through Route.BASE) already points
back here.

Usage:

    async with FakeDiscord() as fake:
        ...start a client with fake.token...
        await fake.send_message(f"<@{fake.bot_user['id']}> hi")
        call = await fake.wait_for_call("POST", r"/channels/\\d+/messages")

Users are Discord payload dicts (string ids): fake.bot_user, fake.admin_user
(has MANAGE_GUILD through the admin role; also the application owner) and
fake.plain_user. Guild, channel, role and application ids are ints.

Like Discord, the fake honours the IDENTIFY intents (no MESSAGE_CONTENT: guild
messages that don't mention the bot arrive with empty content), echoes the
bot's own non-ephemeral messages back as MESSAGE_CREATE/UPDATE/DELETE, and
only accepts followups after the interaction was answered. Create clients with
a small ``guild_ready_timeout`` (e.g. 0.1): discord.py otherwise waits 2 s
after the last GUILD_CREATE before on_ready.
"""

from __future__ import annotations

import asyncio
import datetime
import itertools
import json
import logging
import math
import re
import secrets
import time
import zlib
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from aiohttp import WSMsgType, web

_log = logging.getLogger(__name__)

API_PREFIX = "/api/v10"
DISCORD_EPOCH_MS = 1420070400000

# Permission bits (https://discord.com/developers/docs/topics/permissions).
MANAGE_GUILD = 1 << 5
EVERYONE_PERMISSIONS = (
    (1 << 6)  # ADD_REACTIONS
    | (1 << 10)  # VIEW_CHANNEL
    | (1 << 11)  # SEND_MESSAGES
    | (1 << 14)  # EMBED_LINKS
    | (1 << 15)  # ATTACH_FILES
    | (1 << 16)  # READ_MESSAGE_HISTORY
    | (1 << 31)  # USE_APPLICATION_COMMANDS
)

# Gateway intents that decide which message events a session receives.
GUILD_MESSAGES = 1 << 9
DIRECT_MESSAGES = 1 << 12
MESSAGE_CONTENT = 1 << 15

EPHEMERAL = 64
LOADING = 128

# Interaction callback types that create the "original" response message.
CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE = 4, 5
DEFERRED_UPDATE_MESSAGE, UPDATE_MESSAGE = 6, 7


@dataclass
class Call:
    """One REST request the client made."""

    method: str
    path: str  # relative to /api/v10, e.g. "/channels/123/messages"
    query: dict[str, str]
    headers: dict[str, str]  # only Authorization and X-Audit-Log-Reason
    json: Any = None  # JSON body, or the payload_json part of a multipart body
    files: dict[str, bytes] = field(default_factory=dict)  # filename -> content
    status: int = 0  # the status the fake answered with


CALL = web.RequestKey("call", Call)  # the request's parsed Call, set by the middleware


class _GatewayConnection:
    """One client websocket; compresses like Discord when asked to."""

    def __init__(self, request: web.Request, ws: web.WebSocketResponse) -> None:
        self.ws = ws
        self.transport = request.transport
        zlib_stream = request.query.get("compress") == "zlib-stream"
        self._deflate = zlib.compressobj() if zlib_stream else None
        # Frames of one zlib stream must go out in the order they were compressed.
        self._lock = asyncio.Lock()

    @property
    def open(self) -> bool:
        return not self.ws.closed and not self.transport.is_closing()

    async def send(self, payload: dict) -> None:
        text = json.dumps(payload)
        async with self._lock:
            try:
                if self._deflate is None:
                    await self.ws.send_str(text)
                else:
                    data = self._deflate.compress(text.encode()) + self._deflate.flush(zlib.Z_SYNC_FLUSH)
                    await self.ws.send_bytes(data)
            except ConnectionResetError:
                pass  # the client is gone; dispatched events stay in the log for its RESUME


class FakeDiscord:
    """Fake Discord REST API and gateway; use as ``async with FakeDiscord() as fake``."""

    def __init__(self, *, token: str = "fake-bot-token", heartbeat_interval_ms: int = 41250) -> None:
        self.token = token  # the only token REST and the gateway accept; may be changed at any time
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self._ids = itertools.count(1)
        self.bot_user = self._user("manabi", bot=True)
        self.admin_user = self._user("admin")
        self.plain_user = self._user("learner")
        self.users = {int(u["id"]): u for u in (self.bot_user, self.admin_user, self.plain_user)}
        self.application_id = int(self.bot_user["id"])
        self.guild_id = self._snowflake()
        self.channel_id = self._snowflake()
        self.admin_role_id = self._snowflake()
        self.roles = [
            self._role(self.guild_id, "@everyone", EVERYONE_PERMISSIONS, position=0),
            self._role(self.admin_role_id, "admin", MANAGE_GUILD, position=1),
        ]
        self.member_roles = {int(self.admin_user["id"]): [self.admin_role_id]}
        self.messages: dict[int, dict] = {}  # every message the fake knows, by id
        self.commands: dict[Optional[int], list[dict]] = {}  # guild id (None: global) -> registered commands
        self.interactions: dict[str, dict] = {}  # token -> INTERACTION_CREATE payload
        self._acknowledged: set[str] = set()
        self._original_ids: dict[str, int] = {}  # interaction token -> id of its original response
        self._dm_channels: dict[int, int] = {}  # user id -> DM channel id
        self._faults: list[dict] = []
        self._calls: list[Call] = []
        self._claimed_calls: set[int] = set()
        self._gateway_payloads: list[dict] = []
        self._claimed_payloads: set[int] = set()
        self._changed = asyncio.Condition()
        self._connection: Optional[_GatewayConnection] = None  # the one bound to the session
        self._open_connections: set[_GatewayConnection] = set()
        self._session_id: Optional[str] = None
        self._intents = 0
        self._seq = 0
        self._event_log: list[dict] = []  # dispatched frames, replayed on RESUME
        self._runner: Optional[web.AppRunner] = None
        self._base_url = ""

    # ------------------------------------------------------------------ lifecycle

    async def __aenter__(self) -> FakeDiscord:
        app = web.Application(middlewares=[self._rest_middleware])
        app.on_shutdown.append(self._close_gateways)
        app.router.add_get("/gateway", self._gateway)
        app.router.add_get("/gateway-resume", self._gateway)
        self._add_rest_routes(app.router)
        app.router.add_route("*", "/{tail:.*}", self._not_found)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]  # port 0 picked a free one
        self._base_url = f"http://{host}:{port}"
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        await self._runner.cleanup()

    async def _close_gateways(self, app: web.Application) -> None:
        # Runs after the listener stopped; otherwise cleanup would wait ~60 s on a still-connected client.
        for connection in list(self._open_connections):
            await connection.ws.close(code=1001)

    @property
    def api_base(self) -> str:
        return self._base_url + API_PREFIX

    @property
    def gateway_url(self) -> str:
        return self._base_url.replace("http", "ws", 1) + "/gateway"

    # ------------------------------------------------------------------ test API: REST

    def calls(self, method: Optional[str] = None, path: Optional[str] = None) -> list[Call]:
        """Recorded REST calls, optionally filtered by method and a path regex (full match)."""
        return [c for c in self._calls if self._call_matches(c, method, path)]

    async def wait_for_call(self, method: str, path: str, timeout: float = 10) -> Call:
        """Return the oldest matching call that no earlier wait_for_call returned."""
        return await self._claim(
            self._calls, self._claimed_calls, lambda c: self._call_matches(c, method, path), timeout, f"{method} {path}"
        )

    async def wait_for_callback(self, interaction: dict, timeout: float = 10) -> Call:
        """Wait for the client's initial response to an injected interaction."""
        return await self.wait_for_call(
            "POST", rf"/interactions/{interaction['id']}/{re.escape(interaction['token'])}/callback", timeout
        )

    def fail_next(
        self,
        method: str,
        path: str,
        *,
        status: int = 429,
        retry_after: float = 0.2,
        is_global: bool = False,
        code: int = 0,
    ) -> None:
        """Answer the next matching REST call (path regex, full match) with an error, once."""
        self._faults.append(
            {"method": method, "path": path, "status": status, "retry_after": retry_after, "global": is_global, "code": code}
        )

    # ------------------------------------------------------------------ test API: gateway

    def gateway_payloads(self, op: Optional[int] = None) -> list[dict]:
        """Payloads ({"op", "d"}) the client sent over the gateway, e.g. op 2 = IDENTIFY, 6 = RESUME."""
        return [p for p in self._gateway_payloads if op is None or p["op"] == op]

    async def wait_for_op(self, op: int, timeout: float = 10) -> dict:
        """Return the ``d`` of the oldest unclaimed gateway payload with this op."""
        payload = await self._claim(
            self._gateway_payloads, self._claimed_payloads, lambda p: p["op"] == op, timeout, f"gateway op {op}"
        )
        return payload["d"]

    async def dispatch(self, event: str, data: dict) -> None:
        """Send a DISPATCH event to the current session (kept for replay if it is disconnected)."""
        if self._session_id is None:
            _log.warning("no gateway session, dropping %s", event)
            return
        self._seq += 1
        frame = {"op": 0, "t": event, "s": self._seq, "d": data}
        self._event_log.append(frame)
        if self._connection is not None and self._connection.open:
            await self._deliver(self._connection, frame)

    async def drop_gateway(self, code: Optional[int] = 4000) -> None:
        """Close the client's gateway socket with a resumable code, or without a close frame if code is None."""
        connection = self._connection
        if connection is None:
            raise RuntimeError("no gateway connection to drop")
        if code is None:
            connection.transport.abort()  # like a network failure: no close handshake at all
        else:
            await connection.ws.close(code=code)

    async def send_message(
        self,
        content: str,
        *,
        author: Optional[dict] = None,
        channel_id: Optional[int] = None,
        guild: bool = True,
        mentions: Optional[list[dict]] = None,
        bot_author: bool = False,
        attachments: Optional[list[str]] = None,
    ) -> dict:
        """Dispatch MESSAGE_CREATE from a user; ``guild=False`` sends it in the author's DM channel.

        Mentions default to the known users written as <@id> in the content. ``attachments``
        are file names.
        """
        author = author or self.plain_user
        if bot_author:
            author = dict(author, bot=True)
        if channel_id is None:
            channel_id = self.channel_id if guild else self._dm_channel_id(author)
        if mentions is None:
            mentions = [self.users[int(i)] for i in re.findall(r"<@!?(\d+)>", content) if int(i) in self.users]
        files = [
            {"id": str(self._snowflake()), "filename": name, "size": 1, "url": "", "proxy_url": ""}
            for name in attachments or []
        ]
        message = self._store_message(channel_id, {"content": content, "attachments": files}, author)
        message["mentions"] = [dict(u, member=self._member(u, with_user=False)) if guild else u for u in mentions]
        await self.dispatch("MESSAGE_CREATE", message)
        return message

    async def send_interaction(
        self,
        type_: int,
        data: dict,
        *,
        user: Optional[dict] = None,
        guild: bool = True,
        message: Optional[dict] = None,
    ) -> dict:
        """Dispatch INTERACTION_CREATE of any type from ``user`` (default plain_user); returns its payload."""
        user = user or self.plain_user
        channel = self._guild_channel() if guild else self._dm_channel(user)
        interaction = {
            "id": str(self._snowflake()),
            "application_id": str(self.application_id),
            "type": type_,
            "data": data,
            "token": secrets.token_urlsafe(48),
            "version": 1,
            "channel": channel,
            "channel_id": channel["id"],
            "locale": "en-US",
            "app_permissions": str(self._permissions(self.bot_user)),
            "entitlements": [],
            "authorizing_integration_owners": {"0": str(self.guild_id)} if guild else {"1": user["id"]},
            "context": 0 if guild else 1,
            "attachment_size_limit": 10 * 1024 * 1024,
        }
        if guild:
            interaction.update(
                guild_id=str(self.guild_id),
                guild={"id": str(self.guild_id), "locale": "en-US", "features": []},
                guild_locale="en-US",
                member=dict(self._member(user), permissions=str(self._permissions(user))),
            )
        else:
            interaction["user"] = user
        if message is not None:
            interaction["message"] = message
        self.interactions[interaction["token"]] = interaction
        await self.dispatch("INTERACTION_CREATE", interaction)
        return interaction

    async def send_command(
        self,
        name: str,
        options: dict[str, Any] | list[dict] | None = None,
        *,
        user: Optional[dict] = None,
        guild: bool = True,
        focused: Optional[str] = None,
    ) -> dict:
        """Invoke a slash command (type 2), or ask for autocomplete (type 4) of option ``focused``.

        ``options`` is {name: value} (str, int, float, bool or a user dict) or a raw Discord option list
        (for subcommands). The command id and guild_id come from what the client registered, if it did.
        """
        registered = self._registered_command(name, guild)
        data = {"id": registered["id"] if registered else str(self._snowflake()), "name": name, "type": 1}
        if registered and "guild_id" in registered:
            data["guild_id"] = registered["guild_id"]  # discord.py looks guild commands up by it
        if isinstance(options, dict):
            data["options"], data["resolved"] = self._options(options, guild)
        elif options is not None:
            data["options"] = options
        if focused is not None:
            for option in data["options"]:
                option["focused"] = option["name"] == focused
        return await self.send_interaction(2 if focused is None else 4, data, user=user, guild=guild)

    async def send_message_command(
        self, name: str, message: dict, *, user: Optional[dict] = None, guild: bool = True
    ) -> dict:
        """Invoke a message context-menu command (type 2, command type 3) on ``message``."""
        registered = self._registered_command(name, guild)
        data = {
            "id": registered["id"] if registered else str(self._snowflake()),
            "name": name,
            "type": 3,
            "target_id": message["id"],
            "resolved": {"messages": {message["id"]: message}},
        }
        if registered and "guild_id" in registered:
            data["guild_id"] = registered["guild_id"]
        return await self.send_interaction(2, data, user=user, guild=guild)

    def add_role(self, name: str, permissions: int = 0, members: tuple[dict, ...] = ()) -> int:
        """A new guild role held by ``members``; add it before the client connects (GUILD_CREATE)."""
        role_id = self._snowflake()
        self.roles.append(self._role(role_id, name, permissions, position=len(self.roles)))
        for user in members:
            self.member_roles.setdefault(int(user["id"]), []).append(role_id)
        return role_id

    async def send_component(
        self,
        custom_id: str,
        *,
        message_id: Optional[int] = None,
        user: Optional[dict] = None,
        guild: bool = True,
        component_type: int = 2,
        values: Optional[list[str]] = None,
    ) -> dict:
        """Click a button (component_type 2) or pick select ``values`` (3 = string select) (type 3).

        The message is ``message_id`` if the fake knows it, else a new bot message carrying the button.
        """
        message = self.messages.get(message_id) if message_id is not None else None
        if message is None:
            channel_id = self.channel_id if guild else self._dm_channel_id(user or self.plain_user)
            button = {"type": 2, "style": 1, "label": custom_id, "custom_id": custom_id}
            message = self._store_message(channel_id, {"components": [{"type": 1, "components": [button]}]}, self.bot_user)
        data = {"custom_id": custom_id, "component_type": component_type}
        if values is not None:
            data["values"] = values
        return await self.send_interaction(3, data, user=user, guild=guild, message=message)

    async def send_modal_submit(
        self, custom_id: str, values: dict[str, str], *, user: Optional[dict] = None, guild: bool = True
    ) -> dict:
        """Submit the modal ``custom_id`` (type 5) with text input values by their custom_id."""
        rows = [{"type": 1, "components": [{"type": 4, "custom_id": k, "value": v}]} for k, v in values.items()]
        return await self.send_interaction(5, {"custom_id": custom_id, "components": rows}, user=user, guild=guild)

    # ------------------------------------------------------------------ gateway server

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        connection = _GatewayConnection(request, ws)
        self._open_connections.add(connection)
        try:
            await connection.send({"op": 10, "d": {"heartbeat_interval": self.heartbeat_interval_ms}})
            async for msg in ws:
                if msg.type is WSMsgType.TEXT:
                    await self._on_gateway_payload(connection, json.loads(msg.data))
        finally:
            self._open_connections.discard(connection)
        return ws

    async def _on_gateway_payload(self, connection: _GatewayConnection, payload: dict) -> None:
        self._gateway_payloads.append(payload)
        await self._notify()
        op, data = payload["op"], payload.get("d")
        if op == 1:
            await connection.send({"op": 11})
        elif op in (2, 6) and data.get("token") != self.token:
            await connection.ws.close(code=4004, message=b"Authentication failed.")
        elif op == 2:
            await self._identify(connection, data)
        elif op == 6:
            await self._resume(connection, data)
        elif op == 8:
            await self._send_member_chunk(data)

    async def _identify(self, connection: _GatewayConnection, data: dict) -> None:
        self._connection = connection
        self._session_id = secrets.token_hex(16)
        self._intents = data.get("intents", 0)
        self._seq = 0
        self._event_log = []
        ready = {
            "v": 10,
            "user": self.bot_user,
            "guilds": [{"id": str(self.guild_id), "unavailable": True}],
            "session_id": self._session_id,
            "resume_gateway_url": self._base_url.replace("http", "ws", 1) + "/gateway-resume",
            "application": {"id": str(self.application_id), "flags": 0},
            "private_channels": [],
            "relationships": [],
        }
        if "shard" in data:
            ready["shard"] = data["shard"]
        await self.dispatch("READY", ready)
        await self.dispatch("GUILD_CREATE", self._guild_payload())

    async def _resume(self, connection: _GatewayConnection, data: dict) -> None:
        if data.get("session_id") != self._session_id:
            await connection.send({"op": 9, "d": False})  # invalid session: the client must IDENTIFY again
            return
        self._connection = connection
        for frame in self._event_log:
            if frame["s"] > (data.get("seq") or 0):
                await self._deliver(connection, frame)
        await self.dispatch("RESUMED", {})

    async def _send_member_chunk(self, data: dict) -> None:
        wanted = {int(i) for i in data.get("user_ids") or []}
        query = (data.get("query") or "").lower()
        members = [
            self._member(u)
            for u in self.users.values()
            if (not wanted or int(u["id"]) in wanted) and u["username"].lower().startswith(query)
        ]
        chunk = {"guild_id": data["guild_id"], "members": members, "chunk_index": 0, "chunk_count": 1}
        if data.get("nonce"):
            chunk["nonce"] = data["nonce"]
        await self.dispatch("GUILD_MEMBERS_CHUNK", chunk)

    async def _deliver(self, connection: _GatewayConnection, frame: dict) -> None:
        """Send a frame the way the session's intents let Discord send it."""
        event, data = frame["t"], frame["d"]
        if event.startswith("MESSAGE_"):
            is_dm = "guild_id" not in data
            if not self._intents & (DIRECT_MESSAGES if is_dm else GUILD_MESSAGES):
                return
            if event != "MESSAGE_DELETE" and not self._content_visible(data, is_dm):
                frame = dict(frame, d=dict(data, content="", embeds=[], attachments=[], components=[]))
        await connection.send(frame)

    def _content_visible(self, message: dict, is_dm: bool) -> bool:
        # Without MESSAGE_CONTENT, Discord blanks guild messages unless they are the bot's or mention it.
        mentioned = any(u["id"] == self.bot_user["id"] for u in message.get("mentions", []))
        by_bot = message["author"]["id"] == self.bot_user["id"]
        return bool(self._intents & MESSAGE_CONTENT) or is_dm or mentioned or by_bot

    # ------------------------------------------------------------------ REST server

    def _add_rest_routes(self, router: web.UrlDispatcher) -> None:
        api = API_PREFIX
        message = api + "/channels/{channel_id}/messages/{message_id}"
        webhook_message = api + "/webhooks/{app_id}/{token}/messages/{message_id}"
        router.add_get(api + "/gateway/bot", self._get_gateway_bot)
        router.add_get(api + "/users/@me", self._get_me)
        router.add_get(api + "/oauth2/applications/@me", self._get_application)
        for path in (api + "/applications/{app_id}/commands", api + "/applications/{app_id}/guilds/{guild_id}/commands"):
            router.add_get(path, self._get_commands)
            router.add_put(path, self._put_commands)
        router.add_post(api + "/channels/{channel_id}/messages", self._post_message)
        router.add_get(message, self._get_message)
        router.add_patch(message, self._patch_message)
        router.add_delete(message, self._delete_message)
        router.add_post(api + "/channels/{channel_id}/typing", self._no_content)
        router.add_post(api + "/users/@me/channels", self._open_dm)
        router.add_post(api + "/interactions/{interaction_id}/{token}/callback", self._interaction_callback)
        router.add_post(api + "/webhooks/{app_id}/{token}", self._post_followup)
        router.add_get(webhook_message, self._get_webhook_message)
        router.add_patch(webhook_message, self._patch_webhook_message)
        router.add_delete(webhook_message, self._delete_webhook_message)

    @web.middleware
    async def _rest_middleware(self, request: web.Request, handler: Callable) -> web.StreamResponse:
        """Record every API call, then answer it: auth failure, injected fault, or the route."""
        if not request.path.startswith(API_PREFIX + "/"):
            return await handler(request)
        call = await self._parse_call(request)
        request[CALL] = call
        try:
            response = self._auth_failure(call) or self._take_fault(call) or await handler(request)
        except Exception as exc:
            # 4xx, not 500: discord.py would retry a 500 for ~25 s and hide the fake's bug.
            _log.exception("fake_discord failed on %s %s", call.method, call.path)
            response = self._error(400, f"fake_discord error: {exc!r}")
        call.status = response.status
        self._calls.append(call)
        await self._notify()
        return response

    async def _parse_call(self, request: web.Request) -> Call:
        call = Call(
            method=request.method,
            path=request.path[len(API_PREFIX) :],
            query=dict(request.query),
            headers={k: request.headers[k] for k in ("Authorization", "X-Audit-Log-Reason") if k in request.headers},
        )
        if request.content_type == "multipart/form-data":
            async for part in await request.multipart():
                if part.name == "payload_json":
                    call.json = json.loads(await part.text())
                else:
                    call.files[part.filename] = await part.read()
        elif request.can_read_body:
            call.json = json.loads(await request.text())
        return call

    def _auth_failure(self, call: Call) -> Optional[web.Response]:
        # Webhook-token routes (interaction responses, followups) need no bot token, like on Discord.
        if call.path.startswith(("/webhooks/", "/interactions/")):
            return None
        if call.headers.get("Authorization") != f"Bot {self.token}":
            return self._error(401, "401: Unauthorized")
        return None

    def _take_fault(self, call: Call) -> Optional[web.Response]:
        fault = next((f for f in self._faults if self._call_matches(call, f["method"], f["path"])), None)
        if fault is None:
            return None
        self._faults.remove(fault)
        if fault["status"] != 429:
            return self._error(fault["status"], f"{fault['status']}: fake failure", fault["code"])
        retry_after = fault["retry_after"]
        headers = {
            "Via": "1.1 google",  # discord.py treats a 429 without Via as a Cloudflare ban and raises
            "Retry-After": str(math.ceil(retry_after)),
            "X-RateLimit-Limit": "5",
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset-After": str(retry_after),
            "X-RateLimit-Reset": str(time.time() + retry_after),
            "X-RateLimit-Scope": "global" if fault["global"] else "user",
        }
        if fault["global"]:
            headers["X-RateLimit-Global"] = "true"
        body = {"message": "You are being rate limited.", "retry_after": retry_after, "global": fault["global"]}
        return self._json(body, status=429, headers=headers)

    async def _not_found(self, request: web.Request) -> web.Response:
        return self._error(404, "404: Not Found")

    async def _no_content(self, request: web.Request) -> web.Response:
        return web.Response(status=204)

    async def _get_me(self, request: web.Request) -> web.Response:
        return self._json(self.bot_user)

    async def _get_gateway_bot(self, request: web.Request) -> web.Response:
        limit = {"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1}
        return self._json({"url": self.gateway_url, "shards": 1, "session_start_limit": limit})

    async def _get_application(self, request: web.Request) -> web.Response:
        return self._json(
            {
                "id": str(self.application_id),
                "name": self.bot_user["username"],
                "description": "",
                "icon": None,
                "bot_public": False,
                "bot_require_code_grant": False,
                "owner": self.admin_user,
                "verify_key": "0" * 64,
                "flags": 0,
                "team": None,
            }
        )

    async def _get_commands(self, request: web.Request) -> web.Response:
        return self._json(self.commands.get(self._command_scope(request), []))

    async def _put_commands(self, request: web.Request) -> web.Response:
        """Bulk overwrite: keep and echo the commands with ids, like Discord."""
        scope = self._command_scope(request)
        registered = []
        for command in request[CALL].json:
            command = {"type": 1, "description": "", **command}
            command.update(id=str(self._snowflake()), application_id=str(self.application_id), version="1")
            if scope is not None:
                command["guild_id"] = str(scope)
            registered.append(command)
        self.commands[scope] = registered
        return self._json(registered)

    async def _post_message(self, request: web.Request) -> web.Response:
        channel_id = int(request.match_info["channel_id"])
        if channel_id != self.channel_id and channel_id not in self._dm_channels.values():
            return self._error(404, "Unknown Channel", 10003)
        call = request[CALL]
        return self._json(await self._create_message(channel_id, call.json, call.files, self.bot_user))

    async def _get_message(self, request: web.Request) -> web.Response:
        message = self.messages.get(int(request.match_info["message_id"]))
        return self._json(message) if message else self._error(404, "Unknown Message", 10008)

    async def _patch_message(self, request: web.Request) -> web.Response:
        message = await self._edit_message(int(request.match_info["message_id"]), request[CALL].json)
        return self._json(message) if message else self._error(404, "Unknown Message", 10008)

    async def _delete_message(self, request: web.Request) -> web.Response:
        return await self._remove_message(int(request.match_info["message_id"]))

    async def _open_dm(self, request: web.Request) -> web.Response:
        user = self.users.get(int(request[CALL].json["recipient_id"]))
        return self._json(self._dm_channel(user)) if user else self._error(404, "Unknown User", 10013)

    async def _interaction_callback(self, request: web.Request) -> web.Response:
        token = request.match_info["token"]
        interaction = self.interactions.get(token)
        if interaction is None or interaction["id"] != request.match_info["interaction_id"]:
            return self._error(404, "Unknown interaction", 10062)
        if token in self._acknowledged:
            return self._error(400, "Interaction has already been acknowledged.", 40060)
        self._acknowledged.add(token)
        call = request[CALL]
        kind, data = call.json["type"], call.json.get("data") or {}
        flags = data.get("flags", 0)
        message = None
        if kind == CHANNEL_MESSAGE:
            message = await self._create_response_message(interaction, data, call.files)
        elif kind == DEFERRED_CHANNEL_MESSAGE:
            message = await self._create_response_message(interaction, {"flags": flags | LOADING}, {})
        elif kind in (DEFERRED_UPDATE_MESSAGE, UPDATE_MESSAGE):
            self._original_ids[token] = int(interaction["message"]["id"])
            if kind == UPDATE_MESSAGE:
                message = await self._edit_message(self._original_ids[token], data)
        if message is not None:
            self._original_ids[token] = int(message["id"])
        resource = {"type": kind, **({"message": message} if message else {})}
        return self._json(
            {
                "interaction": {
                    "id": interaction["id"],
                    "type": interaction["type"],
                    "response_message_id": str(self._original_ids[token]) if token in self._original_ids else None,
                    "response_message_loading": kind == DEFERRED_CHANNEL_MESSAGE,
                    "response_message_ephemeral": bool(flags & EPHEMERAL),
                },
                "resource": resource,
            }
        )

    async def _post_followup(self, request: web.Request) -> web.Response:
        interaction = self._acknowledged_interaction(request)
        if interaction is None:
            return self._error(404, "Unknown Webhook", 10015)
        call = request[CALL]
        return self._json(await self._create_response_message(interaction, call.json, call.files))

    async def _get_webhook_message(self, request: web.Request) -> web.Response:
        message = self.messages.get(self._webhook_message_id(request))
        return self._json(message) if message else self._error(404, "Unknown Message", 10008)

    async def _patch_webhook_message(self, request: web.Request) -> web.Response:
        message = await self._edit_message(self._webhook_message_id(request), request[CALL].json)
        return self._json(message) if message else self._error(404, "Unknown Message", 10008)

    async def _delete_webhook_message(self, request: web.Request) -> web.Response:
        return await self._remove_message(self._webhook_message_id(request))

    # ------------------------------------------------------------------ messages

    async def _create_message(self, channel_id: int, body: dict, files: dict[str, bytes], author: dict) -> dict:
        """Store a message the client created over REST and echo it on the gateway like Discord."""
        body = dict(body or {})
        body["attachments"] = [
            {"id": str(self._snowflake()), "filename": name, "size": len(content), "url": "", "proxy_url": ""}
            for name, content in files.items()
        ]
        message = self._store_message(channel_id, body, author)
        if not message["flags"] & EPHEMERAL:
            await self.dispatch("MESSAGE_CREATE", message)
        return message

    async def _create_response_message(self, interaction: dict, body: dict, files: dict[str, bytes]) -> dict:
        # Interaction responses and followups are sent by the application's webhook.
        body = dict(body, webhook_id=str(self.application_id), application_id=str(self.application_id))
        return await self._create_message(int(interaction["channel_id"]), body, files, self.bot_user)

    def _store_message(self, channel_id: int, body: dict, author: dict) -> dict:
        is_guild = channel_id == self.channel_id
        reference = body.get("message_reference")
        message = {
            "id": str(self._snowflake()),
            "channel_id": str(channel_id),
            "author": author,
            "content": body.get("content") or "",
            "timestamp": _now(),
            "edited_timestamp": None,
            "tts": bool(body.get("tts")),
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": body.get("attachments", []),
            "embeds": body.get("embeds") or [],
            "components": body.get("components") or [],
            "pinned": False,
            "type": 19 if reference else 0,
            "flags": body.get("flags") or 0,
        }
        for key in ("webhook_id", "application_id"):
            if key in body:
                message[key] = body[key]
        if is_guild:
            message["guild_id"] = str(self.guild_id)
            message["member"] = self._member(author, with_user=False)
        if reference:
            reference = {k: str(v) if k.endswith("_id") else v for k, v in reference.items()}
            message["message_reference"] = reference
            message["referenced_message"] = self.messages.get(int(reference.get("message_id", 0)))
        self.messages[int(message["id"])] = message
        return message

    async def _edit_message(self, message_id: Optional[int], body: Optional[dict]) -> Optional[dict]:
        """Apply an edit and echo it on the gateway; None if the message is unknown."""
        message = self.messages.get(message_id)
        if message is None:
            return None
        for key in ("content", "embeds", "components", "flags", "attachments"):
            if (body or {}).get(key) is not None:
                message[key] = body[key]
        message["flags"] &= ~LOADING  # editing a deferred response ends its "thinking..." state
        message["edited_timestamp"] = _now()
        if not message["flags"] & EPHEMERAL:
            await self.dispatch("MESSAGE_UPDATE", message)
        return message

    async def _remove_message(self, message_id: Optional[int]) -> web.Response:
        message = self.messages.pop(message_id, None)
        if message is None:
            return self._error(404, "Unknown Message", 10008)
        if not message["flags"] & EPHEMERAL:
            deleted = {k: message[k] for k in ("id", "channel_id", "guild_id") if k in message}
            await self.dispatch("MESSAGE_DELETE", deleted)
        return web.Response(status=204)

    def _acknowledged_interaction(self, request: web.Request) -> Optional[dict]:
        # Followups only exist once the interaction was answered, as on Discord.
        token = request.match_info["token"]
        if request.match_info["app_id"] != str(self.application_id) or token not in self._acknowledged:
            return None
        return self.interactions[token]

    def _webhook_message_id(self, request: web.Request) -> Optional[int]:
        if self._acknowledged_interaction(request) is None:
            return None
        message_id = request.match_info["message_id"]
        if message_id == "@original":
            return self._original_ids.get(request.match_info["token"])
        return int(message_id)

    # ------------------------------------------------------------------ payload builders

    def _snowflake(self) -> int:
        # Real-looking snowflakes: discord.py derives created_at from them.
        return (int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22 | next(self._ids) % 4096

    def _user(self, name: str, *, bot: bool = False) -> dict:
        return {
            "id": str(self._snowflake()),
            "username": name,
            "global_name": name,
            "discriminator": "0",
            "avatar": None,
            "bot": bot,
            "public_flags": 0,
        }

    def _role(self, role_id: int, name: str, permissions: int, *, position: int) -> dict:
        return {
            "id": str(role_id),
            "name": name,
            "permissions": str(permissions),
            "position": position,
            "color": 0,
            "hoist": False,
            "managed": False,
            "mentionable": False,
            "flags": 0,
        }

    def _member(self, user: dict, *, with_user: bool = True) -> dict:
        member = {
            "roles": [str(r) for r in self.member_roles.get(int(user["id"]), [])],
            "nick": None,
            "avatar": None,
            "joined_at": "2024-01-01T00:00:00+00:00",
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
        }
        return {"user": user, **member} if with_user else member

    def _permissions(self, user: dict) -> int:
        role_ids = {str(self.guild_id), *map(str, self.member_roles.get(int(user["id"]), []))}
        permissions = 0
        for role in self.roles:
            if role["id"] in role_ids:
                permissions |= int(role["permissions"])
        return permissions

    def _guild_channel(self) -> dict:
        return {
            "id": str(self.channel_id),
            "type": 0,
            "guild_id": str(self.guild_id),
            "name": "general",
            "position": 0,
            "permission_overwrites": [],
            "topic": None,
            "nsfw": False,
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "parent_id": None,
        }

    def _dm_channel_id(self, user: dict) -> int:
        return self._dm_channels.setdefault(int(user["id"]), self._snowflake())

    def _dm_channel(self, user: dict) -> dict:
        return {"id": str(self._dm_channel_id(user)), "type": 1, "recipients": [user], "last_message_id": None}

    def _guild_payload(self) -> dict:
        return {
            "id": str(self.guild_id),
            "name": "manabi test guild",
            "icon": None,
            "owner_id": str(self._snowflake()),  # nobody we know: the owner would bypass permission checks
            "roles": self.roles,
            "channels": [self._guild_channel()],
            "members": [self._member(u) for u in self.users.values()],
            "member_count": len(self.users),
            "large": False,
            "unavailable": False,
            "joined_at": "2024-01-01T00:00:00+00:00",
            "features": [],
            "emojis": [],
            "stickers": [],
            "threads": [],
            "voice_states": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "preferred_locale": "en-US",
            "premium_tier": 0,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "system_channel_id": str(self.channel_id),
        }

    def _command_scope(self, request: web.Request) -> Optional[int]:
        guild_id = request.match_info.get("guild_id")
        return int(guild_id) if guild_id else None

    def _registered_command(self, name: str, guild: bool) -> Optional[dict]:
        scopes = [self.guild_id, None] if guild else [None]
        return next((c for scope in scopes for c in self.commands.get(scope, []) if c["name"] == name), None)

    def _options(self, options: dict[str, Any], guild: bool) -> tuple[list[dict], dict]:
        """Turn {name: value} into Discord's typed options plus resolved users."""
        typed, resolved = [], {}
        for name, value in options.items():
            if isinstance(value, dict):  # a user payload -> USER option
                resolved.setdefault("users", {})[value["id"]] = value
                if guild:
                    member = dict(self._member(value, with_user=False), permissions=str(self._permissions(value)))
                    resolved.setdefault("members", {})[value["id"]] = member
                typed.append({"name": name, "type": 6, "value": value["id"]})
            else:
                # bool before int: bool is an int subclass.
                kind = 5 if isinstance(value, bool) else 4 if isinstance(value, int) else 10 if isinstance(value, float) else 3
                typed.append({"name": name, "type": kind, "value": value})
        return typed, resolved

    # ------------------------------------------------------------------ helpers

    def _json(self, body: Any, *, status: int = 200, headers: Optional[dict] = None) -> web.Response:
        # Exactly "application/json": discord.py only parses JSON when the content-type is that
        # string, and aiohttp's json_response would append "; charset=utf-8".
        return web.Response(
            body=json.dumps(body).encode(), status=status, headers={"Content-Type": "application/json", **(headers or {})}
        )

    def _error(self, status: int, message: str, code: int = 0) -> web.Response:
        return self._json({"message": message, "code": code}, status=status)

    @staticmethod
    def _call_matches(call: Call, method: Optional[str], path: Optional[str]) -> bool:
        return (method is None or call.method == method.upper()) and (path is None or re.fullmatch(path, call.path))

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def _claim(self, records: list, claimed: set[int], match: Callable, timeout: float, what: str) -> Any:
        def find() -> Any:
            for index, record in enumerate(records):
                if index not in claimed and match(record):
                    claimed.add(index)
                    return record
            return None

        async with self._changed:
            try:
                return await asyncio.wait_for(self._changed.wait_for(find), timeout)
            except asyncio.TimeoutError:
                rest = [f"{c.method} {c.path} -> {c.status}" for c in self._calls]
                ops = [p["op"] for p in self._gateway_payloads]
                raise TimeoutError(f"{what} not seen within {timeout}s; REST calls: {rest}; gateway ops: {ops}") from None


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat()
