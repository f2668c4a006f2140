# One image for web, worker and beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production

# WeasyPrint needs Pango and HarfBuzz (subset for reproducible PDFs); gettext compiles catalogs.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
      libharfbuzz-subset0 fonts-dejavu-core gettext curl \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.lock ./
RUN pip install --no-cache-dir -r requirements.lock

COPY . .
RUN python manage.py compilemessages -v 0 \
 && SECRET_KEY=build ALLOWED_HOSTS=build DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    CELERY_BROKER_URL=memory:// FIELD_ENCRYPTION_KEY=ZmFrZWtleWZha2VrZXlmYWtla2V5ZmFrZWtleTEyMzQ= \
    EMAIL_URL=consolemail:// DEFAULT_FROM_EMAIL=build@localhost MEDIA_ROOT=/tmp/media \
    STATIC_ROOT=/app/staticfiles python manage.py collectstatic --no-input -v 0

RUN useradd --system --uid 1000 commission && mkdir -p /data/media && chown commission /data/media
USER commission
EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
