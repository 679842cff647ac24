# manabi Discord bot.
#   docker build -t manabi .
#   docker run --env-file .env -v manabi-data:/data manabi
# Offline machines build against a local stand-in: --build-arg BASE_IMAGE=local/python:3.11-slim
ARG BASE_IMAGE=python:3.11-slim

# ---- wheel: manabi itself, built once per code change ----
FROM ${BASE_IMAGE} AS wheel
# pip settings for the build only (ARG, unlike ENV, does not stay in the image).
ARG PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore
WORKDIR /src
COPY pyproject.toml ./
# The build backend (build-system.requires) in its own layer, so building the
# wheel after a code change needs no trip to PyPI.
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['build-system']['requires']))" \
        > /tmp/build-requirements.txt \
 && pip install -r /tmp/build-requirements.txt
COPY README.md ./
COPY bot ./bot
# The wheel ships the notes too (bot/corpus/, see pyproject.toml), as for `pip install .`.
COPY corpus ./corpus
RUN pip wheel --no-deps --no-build-isolation --wheel-dir /wheels .

# ---- runtime: base image + user + dependencies (cached) + manabi + notes ----
FROM ${BASE_IMAGE}
ARG PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore

# A fixed non-root user (--no-log-init: no huge sparse lastlog for a high uid);
# /data belongs to it, so a fresh named volume is writable.
RUN useradd --uid 10001 --user-group --no-log-init --no-create-home --home-dir /app \
        --shell /usr/sbin/nologin manabi \
 && mkdir -p /data \
 && chown manabi:manabi /data

# Dependencies only, read from pyproject.toml: this ~300 MB layer is rebuilt
# only when pyproject.toml changes. The venv gets no pip or setuptools of its
# own; the base image's pip (22.3+ for --python) installs into it.
# sudachidict-core carries the dictionary inside its wheel: nothing is
# downloaded when the container starts.
COPY pyproject.toml /tmp/
RUN python -m venv --without-pip /opt/venv \
 && python -c "import tomllib; print('\n'.join(tomllib.load(open('/tmp/pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
 && pip --python /opt/venv/bin/python install -r /tmp/requirements.txt \
 && rm /tmp/pyproject.toml /tmp/requirements.txt

# manabi itself: a normal (non-editable) install of the wheel, a few kB per code change.
COPY --from=wheel /wheels /tmp/wheels
RUN pip --python /opt/venv/bin/python install --no-deps --no-index /tmp/wheels/*.whl \
 && rm -rf /tmp/wheels

# The shipped notes, where a folder of your own can be mounted over them (compose.yaml
# mounts ./corpus). MANABI_DB keeps progress and the cache in the /data volume: never in
# the read-only /app or the bot user's home.
COPY corpus /app/corpus

# PYTHONUNBUFFERED: logs reach `docker logs` at once. The venv is compiled and
# read-only for the bot user, so Python need not try to write .pyc files.
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    MANABI_CORPUS=/app/corpus \
    MANABI_DB=/data/manabi.db
WORKDIR /app
USER manabi
# Learning progress (SQLite) and the heartbeat file live here.
VOLUME ["/data"]

# The bot refreshes /data/heartbeat every 30 s while connected to Discord.
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
    CMD ["python", "-m", "bot.healthcheck"]

# Exec form: Python is PID 1 and receives docker stop's SIGTERM itself.
CMD ["python", "-m", "bot"]
