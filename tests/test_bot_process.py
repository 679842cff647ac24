"""`python -m bot` as a process: settings errors, a rejected token, a clean SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import sys

from tests.conftest import ROOT
from tests.fake_discord import FakeDiscord


async def start_bot_process(tmp_path, **env) -> asyncio.subprocess.Process:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "MANABI_", "ASK_"))}
    environment.update(MANABI_DB=str(tmp_path / "data" / "manabi.db"), **env)
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot",
        cwd=tmp_path,  # no .env there
        env={**environment, "PYTHONPATH": str(ROOT)},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def test_missing_token_is_one_line_and_exit_2(tmp_path):
    process = await start_bot_process(tmp_path)
    _, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 2
    assert err.decode().strip().count("\n") == 0 and "DISCORD_TOKEN" in err.decode()


async def test_rejected_token_is_one_line_and_exit_2(tmp_path):
    async with FakeDiscord() as fake:
        process = await start_bot_process(
            tmp_path, DISCORD_TOKEN="wrong-token", DISCORD_API_BASE=fake.api_base, DISCORD_GATEWAY_URL=fake.gateway_url
        )
        _, err = await asyncio.wait_for(process.communicate(), 60)
    text = err.decode()
    assert process.returncode == 2
    assert "Traceback" not in text and "wrong-token" not in text
    assert text.strip().splitlines()[-1].startswith("エラー:")


async def test_sigterm_closes_cleanly_and_logs_answers_without_the_token(tmp_path):
    async with FakeDiscord() as fake:
        process = await start_bot_process(
            tmp_path, DISCORD_TOKEN=fake.token, DISCORD_API_BASE=fake.api_base, DISCORD_GATEWAY_URL=fake.gateway_url,
            DISCORD_GUILD_ID=str(fake.guild_id),
        )
        await fake.wait_for_op(2, timeout=60)  # IDENTIFY
        await fake.wait_for_call("PUT", rf"/applications/\d+/guilds/{fake.guild_id}/commands", timeout=30)
        await fake.send_message(f"<@{fake.bot_user['id']}> KVMとは？")
        await fake.wait_for_call("POST", r"/channels/\d+/messages", timeout=30)
        heartbeat = tmp_path / "data" / "heartbeat"
        for _ in range(100):  # on_ready waits for the guilds to stream in first
            if heartbeat.exists():
                break
            await asyncio.sleep(0.1)
        assert heartbeat.exists()
        process.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(process.communicate(), 30)
    log = err.decode()
    assert process.returncode == 0, log
    assert "answered user=" in log and "hits=" in log
    assert fake.token not in log
    assert not (tmp_path / "data" / "heartbeat").exists()
