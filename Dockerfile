# The GridGraph API for production users; Neo4j runs as its own service (docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    GRIDGRAPH_MODE=production GRIDGRAPH_HTTP_HOST=0.0.0.0 GRIDGRAPH_HTTP_PORT=8000

WORKDIR /app
COPY pyproject.toml README.md ./
COPY server ./server
COPY graph ./graph
COPY schema ./schema
COPY resolvers ./resolvers
COPY seeds ./seeds
RUN pip install --no-cache-dir . && useradd --system --uid 10001 gridgraph
USER gridgraph

EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --retries=5 \
  CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/readyz')"
CMD ["gridgraph", "serve", "--no-seed"]
