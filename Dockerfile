# The one image of Veilig Bestuur: the web app (gunicorn), the timer scheduler and the webhook dispatcher run
# from it with different commands (docker-compose.yml).
FROM node:20-slim AS frontend
WORKDIR /build
COPY frontend/package.json frontend/package-lock.json ./frontend/
RUN cd frontend && npm ci --no-audit --no-fund
COPY frontend ./frontend
RUN mkdir -p engine/web/static/dist && cd frontend && node build.mjs

FROM python:3.11-slim AS app
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 TZ=Europe/Amsterdam \
    VB_PROCESSES_DIR=/app/processes VB_FORMS_DIR=/app/forms VB_WEBHOOKS_DIR=/app/webhooks VB_INSTANCE_PATH=/app/instance
RUN apt-get update && apt-get install -y --no-install-recommends tzdata libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 10001 veilig
WORKDIR /app
COPY pyproject.toml README.md ./
COPY engine ./engine
COPY --from=frontend /build/engine/web/static/dist ./engine/web/static/dist
RUN pip install .
COPY processes ./processes
COPY forms ./forms
COPY webhooks ./webhooks
RUN mkdir -p /app/instance && chown veilig /app/instance
USER veilig
EXPOSE 8000
CMD ["gunicorn", "-c", "python:engine.app.gunicorn_conf", "--bind", "0.0.0.0:8000", "--workers", "3", "--threads", "4", "--preload", "--access-logfile", "-", "engine.app.wsgi:app"]
