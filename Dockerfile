FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml README.md babel.cfg ./
COPY config ./config
COPY ips_coord ./ips_coord
COPY worker ./worker
COPY migrations ./migrations
RUN pip install --no-cache-dir . \
 && pybabel compile -d ips_coord/translations \
 && useradd --create-home ips
USER ips
EXPOSE 8000
CMD ["gunicorn", "--bind", "0.0.0.0:8000", "--workers", "2", "ips_coord.wsgi:app"]
