# The production image: gunicorn serving safeguarding.wsgi, static files served by whitenoise.
# Used by docker-compose.yml for the web app, the Celery worker and Celery beat.

# Front-end assets: the npm packages exactly as package-lock.json pins them (no install
# scripts: none is needed), and static/build/app.css compiled from static/scss/.
FROM node:20-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY static/scss static/scss
RUN npm run build

FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH

# WeasyPrint (subject access bundles as PDF) draws text with Pango, from Debian's packages.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

# Dependencies first, from the runtime lock only, every file checked against its hash.
RUN python -m venv /opt/venv
COPY requirements.lock /tmp/requirements.lock
RUN pip install --require-hashes -r /tmp/requirements.lock && rm /tmp/requirements.lock

RUN groupadd --system --gid 10001 safeguarding \
    && useradd --system --uid 10001 --gid safeguarding --home-dir /app --shell /usr/sbin/nologin safeguarding

WORKDIR /app
# The code stays owned by root: the app's user can read it but not change it.
COPY . .
# Only what Django serves from the npm packages (see STATICFILES_DIRS), and the built CSS.
COPY --from=assets /build/node_modules/govuk-frontend/dist/govuk node_modules/govuk-frontend/dist/govuk
COPY --from=assets /build/node_modules/@ministryofjustice/frontend/moj node_modules/@ministryofjustice/frontend/moj
COPY --from=assets /build/node_modules/cytoscape/dist node_modules/cytoscape/dist
COPY --from=assets /build/node_modules/accessible-autocomplete/dist node_modules/accessible-autocomplete/dist
COPY --from=assets /build/static/build static/build

# Collect static files for whitenoise. The values are dummies that only let settings load in
# production mode; nothing connects to them, and none of them is kept in the image.
RUN SAFEGUARDING_MODE=production \
    SECRET_KEY=collectstatic-at-build-time-only-0000000000000000000000000000 \
    ALLOWED_HOSTS=localhost \
    DATABASE_URL=postgres://build:build@build.invalid:5432/build \
    CELERY_BROKER_URL=redis://build.invalid:6379/0 \
    python manage.py collectstatic --noinput

# Documents (case notes' letters, photos of places) are kept outside the web root, in a directory
# only the app's user may write: docker-compose.yml mounts a volume here (DOCUMENTS_ROOT).
RUN mkdir -p /var/lib/safeguarding/documents \
    && chown safeguarding:safeguarding /var/lib/safeguarding/documents \
    && chmod 700 /var/lib/safeguarding/documents

USER safeguarding
EXPOSE 8000
CMD ["gunicorn", "-c", "python:safeguarding.gunicorn", "safeguarding.wsgi"]
