"""gunicorn's settings, shared by the production stack (Dockerfile, docker-compose.yml) and the
benchmark (``make bench``), so what is measured is what is deployed.

Use with ``gunicorn -c python:safeguarding.gunicorn safeguarding.wsgi``. Each value comes from
the environment, with the default the benchmark in BENCHMARKS.md was measured with:

* ``WEB_WORKERS`` (2): synchronous worker processes. Each holds one database connection (kept
  for ``CONN_MAX_AGE`` seconds, 60 in production), so PostgreSQL needs ``max_connections`` of at
  least workers x web containers, plus the Celery workers'.
* ``WEB_TIMEOUT`` (30 seconds): a worker silent for longer is killed and restarted. No page
  should come near it; a request that does is a fault to fix, not to wait for.
* ``WEB_BIND`` (``0.0.0.0:8000``).

It also sets ``DATABASE_STATEMENT_TIMEOUT`` to ``WEB_TIMEOUT`` for the web workers' database
connections (unless given).
"""

import os

bind = os.environ.get("WEB_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_WORKERS", "2"))
worker_class = "sync"
timeout = int(os.environ.get("WEB_TIMEOUT", "30"))
# The database ends a web request's statement at the same time as gunicorn ends its worker, so
# no query runs on for a request nobody waits for (settings.py reads it; other processes, such
# as migrations and Celery, keep no limit).
os.environ.setdefault("DATABASE_STATEMENT_TIMEOUT", str(timeout))
graceful_timeout = timeout
# Browsers keep connections open; a sync worker should not wait on an idle one for long.
keepalive = 2
# Access log on stdout unless told otherwise (the benchmark turns it off).
accesslog = os.environ.get("WEB_ACCESS_LOG", "-") or None
