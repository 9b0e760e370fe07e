# syntax=docker/dockerfile:1
# Multi-stage build: the builder compiles the pinned production requirements into a virtualenv; the runtime
# stage copies only that virtualenv and the source, and runs as an unprivileged user.

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS builder
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential \
    && rm -rf /var/lib/apt/lists/*
RUN python -m venv /opt/venv
ENV PATH="/opt/venv/bin:$PATH"
WORKDIR /src
COPY requirements/ requirements/
RUN pip install -r requirements/production.txt
# Install the project itself (no deps) so its entry points (the plugin registries) resolve.
COPY . .
RUN pip install --no-deps .


FROM ${PYTHON_IMAGE} AS runtime
ENV PATH="/opt/venv/bin:$PATH" \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=dropship_central.settings.production \
    PORT=8000 \
    WEB_CONCURRENCY=3
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --shell /usr/sbin/nologin app \
    && install -d -o app -g app /run/metrics
COPY --from=builder /opt/venv /opt/venv
WORKDIR /app
# Code and collected static files stay root-owned: the app user can read them, not change them.
COPY . .
# Static files are collected at build time. Production settings refuse to start without their secrets, so
# this one step gets throwaway values; none of them is used at run time or kept in the image's environment.
RUN SECRET_KEY=collectstatic-only-not-a-secret \
    DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    REDIS_URL=redis://127.0.0.1:6379/0 \
    FIELD_ENCRYPTION_KEYS=Y29sbGVjdHN0YXRpYy1vbmx5LWR1bW15LWtleS0wMDA= \
    python manage.py collectstatic --noinput
USER app
EXPOSE 8000
# /metrics answers without a database round trip. The forwarded-proto header stands in for the TLS proxy
# (production redirects plain HTTP), and the Host must be in ALLOWED_HOSTS (see .env.example).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request as u; u.urlopen(u.Request('http://127.0.0.1:8000/metrics', headers={'Host': 'localhost', 'X-Forwarded-Proto': 'https'}), timeout=4)"]
CMD ["sh", "-c", "exec gunicorn dropship_central.wsgi:application --bind 0.0.0.0:${PORT} --workers ${WEB_CONCURRENCY} --access-logfile - --forwarded-allow-ips='*'"]
