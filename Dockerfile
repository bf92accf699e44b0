# Build stage: the wheel, with the catalogues compiled and the migrations inside (setup.py).
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml setup.py MANIFEST.in README.md ./
COPY config ./config
COPY ips_coord ./ips_coord
COPY worker ./worker
COPY migrations ./migrations
RUN pip install --no-cache-dir build && python -m build --wheel --outdir /dist .

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 IPS_INSTANCE_PATH=/app/instance
WORKDIR /app
# The locked dependencies first: their layer is rebuilt only when the lock changes.
COPY requirements.lock ./
RUN pip install --no-cache-dir -r requirements.lock
COPY --from=build /dist/ /tmp/dist/
# The app runs from the installed wheel; no source tree in the image.
RUN pip install --no-cache-dir --no-deps /tmp/dist/*.whl \
 && rm -rf /tmp/dist \
 && useradd --create-home ips \
 && mkdir -p /app/instance && chown ips /app/instance
USER ips
EXPOSE 8000
CMD ["gunicorn", "--bind", "0.0.0.0:8000", "--workers", "2", "ips_coord.wsgi:app"]
