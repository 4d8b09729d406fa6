# The one image of Veilig Bestuur: the web app (gunicorn) and the scheduler run from it with different commands.
FROM python:3.11-slim AS app
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 TZ=Europe/Amsterdam
RUN apt-get update && apt-get install -y --no-install-recommends tzdata && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 10001 veilig
WORKDIR /app
COPY pyproject.toml README.md ./
COPY engine ./engine
RUN pip install .
COPY processes ./processes
COPY forms ./forms
COPY webhooks ./webhooks
USER veilig
EXPOSE 8000
CMD ["gunicorn", "--bind", "0.0.0.0:8000", "--workers", "3", "--threads", "4", "--preload", "--access-logfile", "-", "engine.wsgi:app"]
