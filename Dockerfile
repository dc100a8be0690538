# The portal's one image: the web server, the Celery worker and beat, and the migrate job.

# Front-end libraries come from the npm registry at build time, pinned by package-lock.json.
FROM node:20-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
COPY scripts/vendor_assets.sh scripts/
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts --loglevel=error && scripts/vendor_assets.sh

FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# WeasyPrint (the PDF report) lays text out with Pango; DejaVu is the report's font.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

# Dependencies first, in their own layer: code changes then rebuild in seconds.
COPY pyproject.toml README.md ./
RUN pip install .

COPY . .
COPY --from=assets /build/static/vendor/ static/vendor/

# Static files are collected (hashed and compressed for whitenoise) at build time; settings need
# a configuration to import, so the build gets a throwaway one that is never used at run time.
RUN DEBUG=0 \
    SECRET_KEY=build-time-only-collectstatic-key-not-used-at-run-time-0123456789 \
    DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    python manage.py collectstatic --no-input --verbosity 0

# The translation catalogues (locale/*/LC_MESSAGES/*.po) compiled to .mo files with Debian's
# gettext, removed again in the same layer: the image keeps the .mo files only. Nothing to do until
# the first catalogue is in the repository (compilemessages refuses to run without one).
RUN if ls locale/*/LC_MESSAGES/*.po >/dev/null 2>&1; then \
      apt-get update \
      && apt-get install -y --no-install-recommends gettext \
      && DEBUG=0 \
         SECRET_KEY=build-time-only-compilemessages-key-not-used-at-run-time-0123456789 \
         DATABASE_URL=sqlite:////tmp/build.sqlite3 \
         python manage.py compilemessages --verbosity 0 \
      && apt-get purge -y --auto-remove gettext \
      && rm -rf /var/lib/apt/lists/*; \
    fi

RUN useradd --create-home --uid 1000 ssc \
    && mkdir -p /data/media \
    && chown ssc:ssc /data/media
USER ssc

ENV MEDIA_ROOT=/data/media
EXPOSE 8000
CMD ["gunicorn", "-c", "gunicorn.conf.py", "ssc_portal.wsgi"]
