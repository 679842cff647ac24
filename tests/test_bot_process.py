"""`python -m bot` as a process: settings errors, a rejected token, a clean SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.fake_discord import FakeDiscord


async def start_bot_process(tmp_path, **env) -> asyncio.subprocess.Process:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "MANABI_", "ASK_"))}
    environment.update({"MANABI_DB": str(tmp_path / "data" / "manabi.db"), "XDG_DATA_HOME": str(tmp_path / "xdg"), **env})
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


async def test_help_prints_usage_without_any_token(tmp_path):
    for flag, expected in (("--help", "DISCORD_TOKEN"), ("--version", "python -m bot ")):
        run = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", flag, cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(run.communicate(), 60)
        assert run.returncode == 0, err.decode()
        assert expected in out.decode() and "エラー" not in out.decode() + err.decode()


async def test_a_dotenv_that_is_not_utf8_is_one_line_and_exit_2(tmp_path):
    (tmp_path / ".env").write_bytes("DISCORD_TOKEN=トークン\n".encode("shift_jis"))
    process = await start_bot_process(tmp_path)
    _, err = await asyncio.wait_for(process.communicate(), 60)
    text = err.decode()
    assert process.returncode == 2
    assert text.count("\n") == 1 and text.startswith("エラー: ") and ".env" in text and "UTF-8" in text


def test_dotenv_is_read_by_python_dotenv_and_the_environment_wins(tmp_path, monkeypatch):
    from bot.discord_bot.settings import load_environment

    dotenv = tmp_path / ".env"
    dotenv.write_text(
        "# a comment\n"
        "export DISCORD_TOKEN='quoted token'  # trailing comment\n"
        'MANABI_CORPUS="/notes/${DISCORD_GUILD_ID}"\n'
        "DISCORD_GUILD_ID=42\n"
        "ASK_CHANNEL_IDS=1,2\n",
        encoding="utf-8",
    )
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    monkeypatch.delenv("MANABI_CORPUS", raising=False)
    monkeypatch.setenv("DISCORD_GUILD_ID", "7")
    monkeypatch.setenv("ASK_CHANNEL_IDS", "3")
    env = load_environment(dotenv)
    assert env["DISCORD_TOKEN"] == "quoted token"
    assert env["MANABI_CORPUS"] == "/notes/7"  # ${VAR} sees the environment first
    assert env["DISCORD_GUILD_ID"] == "7" and env["ASK_CHANNEL_IDS"] == "3"


def test_settings_default_to_the_users_data_folder(tmp_path, monkeypatch):
    from bot.discord_bot.settings import Settings, SettingsError

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    settings = Settings.from_env({"DISCORD_TOKEN": "t"})
    assert settings.db == tmp_path / "manabi" / "manabi.db"
    assert settings.heartbeat_file == tmp_path / "manabi" / "heartbeat"
    assert (settings.corpus / "notes.md").is_file()
    assert Settings.from_env({"DISCORD_TOKEN": "t", "MANABI_DB": "/x/y.db"}).db == Path("/x/y.db")
    with pytest.raises(SettingsError, match="フォルダ"):
        Settings.from_env({"DISCORD_TOKEN": "t", "MANABI_CORPUS": str(settings.corpus / "notes.md")})


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nothing listens there once the socket is closed


async def test_unreachable_discord_is_retried_with_backoff_and_sigterm_stops_it(tmp_path):
    port = closed_port()
    process = await start_bot_process(
        tmp_path, DISCORD_TOKEN="some-token", DISCORD_API_BASE=f"http://127.0.0.1:{port}/api/v10",
        DISCORD_GATEWAY_URL=f"ws://127.0.0.1:{port}/", DISCORD_RETRY_SECONDS="0.5",
    )
    retries = []
    log = []
    while len(retries) < 3:
        line = (await asyncio.wait_for(process.stderr.readline(), 60)).decode()
        assert line, "".join(log)  # the bot must not exit
        log.append(line)
        if "再接続します" in line:
            retries.append(line)
    process.send_signal(signal.SIGTERM)  # during the third wait (2 s)
    _, rest = await asyncio.wait_for(process.communicate(), 30)
    log.append(rest.decode())
    assert process.returncode == 0, "".join(log)
    assert [r.split("。")[1].split(" 秒後")[0] for r in retries] == ["0.5", "1", "2"]
    assert all(f"127.0.0.1:{port}" in r and "Discord に接続できません" in r for r in retries)
    assert "Traceback" not in "".join(log) and "some-token" not in "".join(log)


async def test_an_unusable_data_folder_is_one_line_and_exit_2(tmp_path):
    (tmp_path / "data").write_text("not a folder\n")
    process = await start_bot_process(tmp_path, DISCORD_TOKEN="t", MANABI_DB=str(tmp_path / "data" / "m.db"))
    _, err = await asyncio.wait_for(process.communicate(), 60)
    text = err.decode()
    assert process.returncode == 2, text
    assert text.count("\n") == 1 and text.startswith("エラー: ") and "MANABI_DB" in text, text
