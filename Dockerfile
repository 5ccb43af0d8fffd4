# The production image: gunicorn for `web`, the same image runs `celery worker`.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    MEDIA_ROOT=/data/media \
    STATIC_ROOT=/app/staticfiles

WORKDIR /app

# Dependencies first, so code changes do not reinstall them.
COPY pyproject.toml ./
RUN pip install .

COPY . .
# Bytecode compiled once here, as PYTHONDONTWRITEBYTECODE keeps processes from caching it:
# otherwise every start (web, worker, manage.py) compiles the project again (0.07 s).
# collectstatic needs settings to load; this key exists only during the build.
RUN python -m compileall -q annotation config demo exports people review \
    && SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput \
    && useradd --create-home --uid 1000 app \
    && mkdir -p /data/media && chown -R app:app /data

USER app
EXPOSE 8000
CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "60", "--access-logfile", "-"]
