# Phoenix's image for Kubernetes (deploy/helm/phoenix): `phoenix up` against external NATS and
# PostgreSQL, with the operator and the kubernetes deployer. Not built in this repository's CI
# (its machines have no container engine): build it with `docker build -t phoenix .`.
# The dashboard, from its lock file: served by Phoenix at / (web/dist).
FROM node:20-slim AS web
WORKDIR /web
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY web ./
RUN npm run build

FROM python:3.11-slim AS build
ENV UV_PYTHON_DOWNLOADS=never UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy
RUN pip install --no-cache-dir "uv==0.13.9"
WORKDIR /app
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --locked --no-dev --no-install-project
COPY domain domain
COPY handlers handlers
COPY projections projections
COPY adapters adapters
COPY gateway gateway
COPY pipelines pipelines
COPY simulator simulator
COPY migrations migrations
RUN uv sync --locked --no-dev

FROM python:3.11-slim
RUN useradd --uid 10001 --home-dir /var/lib/phoenix --create-home phoenix
COPY --from=build /app /app
COPY --from=web /web/dist /app/web/dist
ENV PATH="/app/.venv/bin:$PATH" PHOENIX_DATA_DIR=/var/lib/phoenix PYTHONUNBUFFERED=1
WORKDIR /app
USER 10001
EXPOSE 8080 4318
ENTRYPOINT ["phoenix"]
CMD ["up"]
