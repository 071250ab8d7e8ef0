# syntax=docker/dockerfile:1
# The dashboard as a container image: one Streamlit process, i.e. one replica. compose.yaml runs
# several behind nginx, with the database on a volume and the secrets mounted at run time.
#
# Not built in this repository's CI (no Docker daemon there); `make serve` runs the same topology
# without Docker and is what the tests exercise. See docs/DEPLOYMENT.md, "With the container image".
#
# Pinned by tag. Pin the digest too where the registry can be reached:
#   docker buildx imagetools inspect python:3.11.13-slim-bookworm   ->  FROM python:3.11.13-slim-bookworm@sha256:...
ARG PYTHON_IMAGE=python:3.11.13-slim-bookworm
FROM ${PYTHON_IMAGE}

# DASHBOARD_DB: the database lives on the volume (a rebuild swaps a new file in beside the old one).
# DASHBOARD_REQUIRE_AUTH: fail closed, no page opens until sign-in is configured ([auth] in the
# mounted secrets file); set it to false only for the synthetic demo.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DASHBOARD_DB=/data/engagement.duckdb \
    DASHBOARD_REQUIRE_AUTH=true \
    STREAMLIT_BROWSER_GATHER_USAGE_STATS=false

# A user with no login and no write access to the app's files; it owns only /data.
RUN groupadd --system --gid 10001 app \
 && useradd --system --uid 10001 --gid app --create-home --home-dir /home/app --shell /usr/sbin/nologin app \
 && mkdir /data && chown app:app /data

WORKDIR /app
COPY requirements.txt ./
RUN pip install --no-cache-dir -r requirements.txt

# Only the app and the build: no data, no secrets, no virtualenv (see .dockerignore).
COPY app.py ./
COPY pages/ pages/
COPY dashboard/ dashboard/
COPY queries/ queries/
COPY pipeline/ pipeline/
COPY .streamlit/config.toml .streamlit/config.toml

USER 10001:10001
# The database (built by `python -m pipeline build`, compose's "build" job). Secrets are never in the
# image: mount them read-only at /app/.streamlit/secrets.toml (compose.yaml does).
VOLUME ["/data"]
EXPOSE 8501

# The slim image has no curl: ask Streamlit's health endpoint with Python.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4).read() != b'ok')"]

# As in service: headless, no file watcher (reloading modules under running scripts made them fail).
CMD ["python", "-m", "streamlit", "run", "app.py", \
     "--server.port=8501", "--server.address=0.0.0.0", "--server.headless=true", "--server.fileWatcherType=none"]
