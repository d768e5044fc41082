# The API image: production dependencies only (no embedded PostgreSQL, no dev tools), installed
# from requirements/production.txt (every package pinned with its hashes), run as a non-root user.
# `hdnd serve` migrates first, under an advisory lock, so several replicas may start together.
# Regenerate the requirements after changing pyproject.toml:
#   uv export --format requirements-txt --no-default-groups --no-emit-project > requirements/production.txt
FROM python:3.12-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app
RUN useradd --system --uid 10001 --create-home --home-dir /home/hdnd hdnd
WORKDIR /app
COPY requirements/production.txt ./requirements.txt
RUN pip install --require-hashes --no-deps -r requirements.txt
# The code stays root-owned and read-only for the service; its writable folder is its home.
COPY alembic.ini ./
COPY api ./api
COPY schema ./schema
COPY db ./db
USER hdnd
ENV HOME=/home/hdnd HDND_DATA_DIR=/home/hdnd/data HDND_HOST=0.0.0.0 HDND_PORT=8000 HDND_GRAPHIQL=false
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --retries=5 \
  CMD ["python", "-c", "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz').status != 200)"]
CMD ["python", "-m", "api", "serve"]
