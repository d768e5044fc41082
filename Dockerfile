# The API image: migrations run before the server starts (see docker-compose.yml).
FROM python:3.12-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy
RUN pip install --no-cache-dir uv==0.13.9
WORKDIR /app
COPY pyproject.toml README.md .python-version alembic.ini ./
COPY api ./api
COPY schema ./schema
COPY db ./db
RUN uv sync --no-dev
RUN useradd --system --uid 10001 hdnd && chown -R hdnd /app
USER hdnd
ENV HDND_HOST=0.0.0.0 HDND_PORT=8000
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --retries=5 \
  CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz').status != 200)"
CMD ["sh", "-c", "uv run --no-dev hdnd migrate && exec uv run --no-dev hdnd serve"]
