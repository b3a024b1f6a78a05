"""The benchmark: every page practitioners live in, at a real borough's size, under load.

``make bench`` (``python -m safeguarding.bench``) does, in order:

1. **Database.** Seeds the demo borough at ``--scale`` (and ``--concerns-per-young-person``)
   into a PostgreSQL database of its own (``safeguarding_bench_s<scale>_c<concerns>``), or
   reuses it when the borough is already there; migrates it and refreshes the planner's
   statistics (``ANALYZE``).
2. **Server.** Serves that database with gunicorn in production mode, with the settings of
   ``safeguarding/gunicorn.py`` (the production stack's), ``--workers`` sync workers, on
   127.0.0.1 only.
3. **Sign-in.** Each simulated user signs in through the login page as the demo role a page is
   for (``sw.amara``, ``tm.jordan``, ``tm.helen``, ``sm.priya``); the partner API uses a token
   issued to the police for the run.
4. **Floor.** ``--users`` concurrent users call ``/healthz`` (one database round trip, no
   session): its p95 is the floor every page is divided by, measured in the same run.
5. **Pages.** For each page: one user's timings (``--single`` sequential requests after a
   warm-up), then ``--users`` concurrent users making ``--requests`` requests each. Reported:
   p50, p95 and max (seconds), p95 ÷ floor, errors, the response size and the number of SQL
   queries the page makes (counted in-process with Django's test client on the same database).

Load goes to 127.0.0.1 only, and is bounded: a request gives up after ``--timeout`` seconds and
a page stops after ``--page-seconds``. The targets (issue 10): record pages p95 ≤ 10 x floor,
borough pages ≤ 30 x, nothing over 1 s for one user.
"""
