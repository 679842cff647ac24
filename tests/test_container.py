"""The container: the health check (no Docker needed) and the image itself.

The image tests need a Docker engine: DOCKER_HOST set and `docker info`
answering (`eval "$(bash .ci/start-docker)"` starts one). Without it they are
skipped with the reason, except under CI=true, where a missing engine is a
failure: CI starts one, so its absence means the setup broke.

The image is built once per session, as manabi-test:latest, from a copy of the
working tree's files that git knows or would add (`git ls-files -co
--exclude-standard`): uncommitted work is tested, untracked junk is not.
Set BASE_IMAGE to build against a local base image (start-docker does).
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from bot import healthcheck

ROOT = Path(__file__).resolve().parent.parent
IMAGE = "manabi-test:latest"
BUILD_TIMEOUT = 1200  # a cold build downloads ~300 MB of wheels
RUN_TIMEOUT = 120
LEAKED_TOKEN = "token-that-must-not-reach-the-image"


# --------------------------------------------------------------------- health check (no Docker)


def test_healthcheck_passes_on_fresh_heartbeat(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MANABI_DB", str(tmp_path / "manabi.db"))
    (tmp_path / "heartbeat").write_text(str(time.time()))
    assert healthcheck.main() == 0
    assert capsys.readouterr().out == ""


def test_healthcheck_fails_on_stale_heartbeat(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MANABI_DB", str(tmp_path / "manabi.db"))
    beat = tmp_path / "heartbeat"
    beat.write_text("0")
    old = time.time() - healthcheck.MAX_AGE_SECONDS - 30
    os.utime(beat, (old, old))
    assert healthcheck.main() == 1
    assert "old" in capsys.readouterr().out


def test_healthcheck_accepts_a_heartbeat_just_inside_the_limit(tmp_path):
    beat = tmp_path / "heartbeat"
    beat.write_text("")
    refreshed = beat.stat().st_mtime
    assert healthcheck.check(beat, now=refreshed + healthcheck.MAX_AGE_SECONDS - 1) is None
    assert healthcheck.check(beat, now=refreshed + healthcheck.MAX_AGE_SECONDS + 1) is not None


def test_healthcheck_fails_without_heartbeat(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MANABI_DB", str(tmp_path / "manabi.db"))
    assert healthcheck.main() == 1
    assert "no heartbeat" in capsys.readouterr().out


def test_healthcheck_default_is_beside_the_default_database(tmp_path, monkeypatch):
    monkeypatch.delenv("MANABI_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert healthcheck.heartbeat_path() == tmp_path / "manabi" / "heartbeat"


def test_healthcheck_module_runs_without_discord_or_sudachi(tmp_path):
    (tmp_path / "heartbeat").write_text(str(time.time()))
    env = dict(os.environ, MANABI_DB=str(tmp_path / "manabi.db"))
    # -X importtime lists every module imported on stderr.
    run = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "bot.healthcheck"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=30,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    imported = {line.rsplit("|", 1)[-1].strip().split(".")[0] for line in run.stderr.splitlines()}
    assert not imported & {"discord", "sudachipy", "aiohttp", "numpy", "rank_bm25"}


# --------------------------------------------------------------------- Docker helpers


def docker(*args: str, timeout: float = RUN_TIMEOUT, check: bool = False) -> subprocess.CompletedProcess:
    run = subprocess.run(["docker", *args], capture_output=True, text=True, timeout=timeout)
    if check and run.returncode != 0:
        pytest.fail(f"docker {' '.join(args)} exited {run.returncode}:\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}")
    return run


def engine_problem() -> str | None:
    if not os.environ.get("DOCKER_HOST"):
        return 'DOCKER_HOST is not set; start an engine with: eval "$(bash .ci/start-docker)"'
    if shutil.which("docker") is None:
        return "no docker client on PATH"
    try:
        info = docker("info", "--format", "{{.ServerVersion}}", timeout=30)
    except subprocess.TimeoutExpired:
        return f"docker info timed out (DOCKER_HOST={os.environ['DOCKER_HOST']})"
    if info.returncode != 0:
        return f"no Docker engine answers at {os.environ['DOCKER_HOST']}: {info.stderr.strip()[-300:]}"
    return None


def copy_working_tree(dest: Path) -> None:
    """The files git tracks or would add, as they are on disk now."""
    listing = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, capture_output=True, check=True,
    ).stdout.decode()
    for name in filter(None, listing.split("\0")):
        src = ROOT / name
        if not (src.is_file() or src.is_symlink()):
            continue  # deleted in the working tree, or a submodule
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, target, follow_symlinks=False)


def plant_junk(context: Path) -> None:
    """Local files a developer's checkout holds that must never reach the image or its build."""
    junk = {
        ".env": f"DISCORD_TOKEN={LEAKED_TOKEN}\n",
        ".git/HEAD": "ref: refs/heads/main\n",
        ".venv/pyvenv.cfg": "home = /usr/bin\n",
        "data/manabi.db": "not a database\n",
        "bot/__pycache__/stale.cpython-311.pyc": "",
    }
    for name, text in junk.items():
        (context / name).parent.mkdir(parents=True, exist_ok=True)
        (context / name).write_text(text)


def base_image_args() -> list[str]:
    base = os.environ.get("BASE_IMAGE")
    return ["--build-arg", f"BASE_IMAGE={base}"] if base else []


@pytest.fixture(scope="session")
def engine() -> None:
    problem = engine_problem()
    if problem:
        if os.environ.get("CI"):
            pytest.fail(f"CI=true but the container tests cannot run: {problem}")
        pytest.skip(problem)


@pytest.fixture(scope="session")
def build_context(engine, tmp_path_factory) -> Path:
    context = tmp_path_factory.mktemp("docker-context")
    copy_working_tree(context)
    plant_junk(context)
    return context


@pytest.fixture(scope="session")
def image(build_context: Path) -> str:
    started = time.monotonic()
    build = docker(
        "build", "--network", "host", *base_image_args(), "--tag", IMAGE, str(build_context),
        timeout=BUILD_TIMEOUT,
    )
    if build.returncode != 0:
        pytest.fail(f"docker build failed:\n{build.stdout[-4000:]}\n{build.stderr[-4000:]}")
    print(f"\nbuilt {IMAGE} in {time.monotonic() - started:.1f} s")
    return IMAGE


def run_in_image(image: str, *args: str, options: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    # --network none: answering must not need the network (the dictionary is in the image).
    return docker("run", "--rm", "--network", "none", *options, image, *args)


def ask(image: str, question: str, options: tuple[str, ...] = ()) -> dict:
    run = run_in_image(image, "python", "-m", "bot.cli", "ask", "--json", question, options=options)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


# --------------------------------------------------------------------- the image


def test_image_settings(image):
    config = json.loads(docker("image", "inspect", image, check=True).stdout)[0]["Config"]
    assert config["Cmd"] == ["python", "-m", "bot"]
    assert config["Healthcheck"]["Test"] == ["CMD", "python", "-m", "bot.healthcheck"]
    assert "/data" in config["Volumes"]
    env = dict(item.split("=", 1) for item in config["Env"])
    assert env["PYTHONUNBUFFERED"] == "1"
    assert env["MANABI_CORPUS"] == "/app/corpus"
    assert env["MANABI_DB"] == "/data/manabi.db"
    assert config["User"] not in ("", "0", "root")


def test_runs_as_non_root_user(image):
    run = run_in_image(image, "id", "-u")
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() != "0"


def test_image_holds_no_env_file_or_local_junk(image):
    # As root, so that find can look everywhere.
    run = run_in_image(
        image, "sh", "-c",
        "find / -xdev \\( -name .env -o -name .git -o -name .venv -o -name 'stale.cpython-311.pyc' \\) -print"
        " && ls -A /data",
        options=("--user", "0"),
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == ""


def test_dockerignore_keeps_secrets_and_local_state_out_of_the_build_context(build_context):
    # A throwaway build that copies the whole context, to see what .dockerignore lets through.
    probe = f"manabi-context-probe:{uuid.uuid4().hex[:12]}"
    base = os.environ.get("BASE_IMAGE", "python:3.11-slim")
    dockerfile = f"FROM {base}\nCOPY . /context\n"
    build = subprocess.run(
        ["docker", "build", "--network", "host", "--tag", probe, "--file", "-", str(build_context)],
        input=dockerfile, capture_output=True, text=True, timeout=RUN_TIMEOUT,
    )
    try:
        assert build.returncode == 0, build.stderr
        listing = docker("run", "--rm", "--network", "none", probe, "find", "/context", check=True).stdout
    finally:
        docker("image", "rm", "--force", probe)
    paths = {line.removeprefix("/context/") for line in listing.splitlines()}
    for needed in ("pyproject.toml", "README.md", "bot/cli.py", "bot/healthcheck.py", "corpus/notes.md"):
        assert needed in paths
    for secret_or_local in (".env", ".git", ".venv", "data", "bot/__pycache__", "tests"):
        assert secret_or_local not in paths


def test_cli_answers_from_the_baked_in_notes(image):
    answer = ask(image, "KVMとは？")
    assert answer["hits"], answer
    assert answer["hits"][0]["source"] == "notes.md"
    assert "kvm" in answer["hits"][0]["matched"]


def test_mounted_notes_folder_replaces_the_baked_in_notes(image, tmp_path):
    notes = tmp_path / "my-notes"
    notes.mkdir()
    (notes / "quantum.md").write_text(
        "# 量子計算\n- 量子ビット: 0と1を重ね合わせの状態で持てる情報の単位\n", encoding="utf-8"
    )
    # The container user is not root: the folder must be readable by others, as a user's notes are.
    notes.chmod(0o755)
    (notes / "quantum.md").chmod(0o644)
    mount = ("--volume", f"{notes}:/app/corpus:ro")

    answer = ask(image, "量子ビットとは？", mount)
    assert answer["hits"], answer
    assert {hit["source"] for hit in answer["hits"]} == {"quantum.md"}
    # The shipped notes are hidden by the mount.
    assert all(hit["source"] != "notes.md" for hit in ask(image, "KVMとは？", mount)["hits"])


def test_bot_without_token_exits_2_with_one_line(image):
    if not (ROOT / "bot" / "__main__.py").exists():
        pytest.skip("bot/__main__.py (python -m bot) is not written yet")
    run = docker("run", "--rm", "--network", "none", image)
    assert run.returncode == 2, run.stdout + run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("エラー:"), run.stderr
    assert "Traceback" not in run.stdout + run.stderr


def test_without_manabi_db_the_cli_answers_without_a_cache_and_the_bot_exits_2(image):
    # -e MANABI_DB= : the default data folder is under the bot user's home, /app, which
    # it may not write.
    run = run_in_image(image, "python", "-m", "bot.cli", "ask", "--json", "KVMとは？", options=("--env", "MANABI_DB="))
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["hits"]
    assert run.stderr.count("\n") == 1 and run.stderr.startswith("警告: ") and "キャッシュなし" in run.stderr
    bot = run_in_image(image, options=("--env", "MANABI_DB=", "--env", "DISCORD_TOKEN=some-token"))
    assert bot.returncode == 2, bot.stdout + bot.stderr
    assert bot.stderr.count("\n") == 1 and bot.stderr.startswith("エラー: ") and "MANABI_DB" in bot.stderr


def test_the_installed_package_carries_the_notes(image):
    run = run_in_image(image, "python", "-c", "from bot.paths import shipped_corpus; print(shipped_corpus())")
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip().endswith("site-packages/bot/corpus")


def test_healthcheck_in_the_image_and_data_is_writable(image):
    # Unhealthy before any heartbeat, healthy once /data/heartbeat is fresh; the
    # non-root user must be able to write /data (a new volume copies its owner).
    script = (
        "python -m bot.healthcheck; echo before=$?;"
        "python -c 'import pathlib, time; pathlib.Path(\"/data/heartbeat\").write_text(str(time.time()))';"
        "python -m bot.healthcheck; echo after=$?"
    )
    run = run_in_image(image, "sh", "-c", script)
    assert run.returncode == 0, run.stderr
    assert "before=1" in run.stdout and "after=0" in run.stdout, run.stdout + run.stderr


# --------------------------------------------------------------------- the bot, end to end


async def test_bot_in_container_answers_stays_healthy_and_stops_cleanly(image):
    """Against the suite's fake Discord on 127.0.0.1 (the container shares the host network)."""
    from tests.fake_discord import FakeDiscord

    name = f"manabi-e2e-{uuid.uuid4().hex[:12]}"
    volume = f"{name}-data"

    async def docker_async(*args: str, timeout: float = RUN_TIMEOUT) -> subprocess.CompletedProcess:
        # In a thread, so the fake keeps serving the bot while docker blocks.
        return await asyncio.to_thread(docker, *args, timeout=timeout)

    async def while_running(step, what: str):
        """Await a fake-Discord wait, but stop at once if the container exits."""
        task = asyncio.ensure_future(step)
        while not (await asyncio.wait({task}, timeout=1))[0]:
            state = await docker_async("inspect", "--format", "{{.State.Status}} {{.State.ExitCode}}", name)
            if not state.stdout.startswith("running"):
                task.cancel()
                pytest.fail(f"the container stopped ({state.stdout.strip()}) while waiting for {what}")
        return task.result()

    async with FakeDiscord() as fake:
        start = await docker_async(
            "run", "--detach", "--name", name, "--network", "host",
            "--health-interval", "1s", "--health-retries", "1",
            "--env", f"DISCORD_TOKEN={fake.token}",
            "--env", f"DISCORD_API_BASE={fake.api_base}",
            "--env", f"DISCORD_GATEWAY_URL={fake.gateway_url}",
            "--env", f"DISCORD_GUILD_ID={fake.guild_id}",
            "--volume", f"{volume}:/data",
            image,
        )
        assert start.returncode == 0, start.stderr
        try:
            # IDENTIFY: the bot loaded its notes and connected.
            await while_running(fake.wait_for_op(2, timeout=90), "the gateway IDENTIFY")

            await fake.send_message(f"<@{fake.bot_user['id']}> KVMとは？")
            reply = await while_running(
                fake.wait_for_call("POST", rf"/channels/{fake.channel_id}/messages", timeout=30), "the answer"
            )
            assert "notes.md" in json.dumps(reply.json, ensure_ascii=False), reply.json

            status, deadline = "", time.monotonic() + 30
            while status != "healthy" and time.monotonic() < deadline:
                await asyncio.sleep(0.5)
                inspect = await docker_async("inspect", "--format", "{{.State.Health.Status}}", name)
                status = inspect.stdout.strip()
            assert status == "healthy"

            stopping = time.monotonic()
            stop = await docker_async("stop", name)  # SIGTERM, then SIGKILL after 10 s
            took = time.monotonic() - stopping
            print(f"\ndocker stop took {took:.1f} s")
            assert stop.returncode == 0, stop.stderr
            exit_code = (await docker_async("inspect", "--format", "{{.State.ExitCode}}", name)).stdout.strip()
            assert exit_code == "0", f"exit code {exit_code} after {took:.1f} s"
            assert took < 10, f"docker stop took {took:.1f} s"

            # The progress database is there and whole after the stop.
            check = await docker_async(
                "run", "--rm", "--network", "none", "--volume", f"{volume}:/data", image, "python", "-c",
                "import sqlite3; print(sqlite3.connect('file:/data/manabi.db?mode=ro', uri=True)"
                ".execute('pragma integrity_check').fetchone()[0])",
            )
            assert check.stdout.strip() == "ok", check.stdout + check.stderr
        except BaseException:
            logs = await docker_async("logs", "--tail", "60", name)
            print(f"--- docker logs {name}:\n{logs.stdout}{logs.stderr}")
            raise
        finally:
            await docker_async("rm", "--force", name)
            await docker_async("volume", "rm", "--force", volume)
