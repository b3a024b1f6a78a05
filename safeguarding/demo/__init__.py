"""A fictional borough for demos, development and load tests (``manage.py seed_borough``).

Everything here is invented: the London Borough of Eastbrook, its "EB" postcodes, its schools,
shops, partner agencies, staff and young people. NHS numbers are in the 999 range that the NHS
never issues, and telephone numbers in the 020 7946 0xxx range Ofcom keeps for drama.

The borough's data apart from how it is built:

* data, constants and tables only: ``data.py`` (the council, its teams and demo logins, the
  partner agencies, young people's names and homes, harms and narratives, referrals, actions,
  and the proportions everything is drawn with) and ``places.py`` (places, their guardians,
  the peer groups that meet there);
* the builder: ``builder.py`` (:class:`~.builder.BoroughBuilder`, its run and the organisations
  and staff; ``build_borough`` and ``borough_counts``, which ``seed_borough`` calls), its steps
  ``records.py`` (places, young people, peer groups, relationships), ``casework.py`` (cases,
  concerns, actions, grants), ``referrals.py``, ``notes.py``, ``assessments.py``
  (assessments of every kind in every state, made through the services and dated back, a
  fixed number per team) and ``plans.py`` (the last: safety plans in every state started from
  those assessments, with a year of a place's measures), what they share (``core.py``), and
  how rows are written (``writer.py``).

How it is written: the few hundred organisations, teams and users, and the places, guardians
and peer groups (about 1 row in 300 at any scale), through the ORM with ``bulk_create``;
everything that grows with the borough (subjects, young people, memberships, relationships,
cases, allocations, concerns and what they involve, referrals, actions, grants) as plain tuples
through ``writer.TableWriter``, in chunks of ``CHUNK`` rows: ``COPY`` on PostgreSQL, one
``executemany`` INSERT elsewhere (SQLite in ``make run``). Primary keys the builder needs are
taken from the tables' own sequences before the rows are written (``TableWriter.ids``).
No model ``save()`` runs, so its logic is repeated here on purpose: ``Subject`` rows are
written first and each record points at its own, concern and referral references, decision
deadlines and ``logged_at`` are filled in explicitly. Grants are written straight into
guardian's direct foreign-key tables, as the rows ``safeguarding.accounts.grants`` says a
team's grant and a named person are (the same helpers the services grant through): a case's
team has a team's grant on its subject, the allocated worker is named (view and change).

On PostgreSQL a background thread sends each chunk's COPY while the builder makes the next
one, and foreign keys are checked as each COPY ends rather than all at COMMIT (see
``BoroughBuilder.build``). Memory stays flat: the builder keeps a small record per young person
(``core.Person``) and per place and group, and at most a few chunks of rows, never a whole
table. Measured on PostgreSQL on two shared cores, scale 333 with ``concerns_per_young_person=10``
(100,000 young people, a million concerns, 2.7 million concern subjects) takes about 215 s
(75 s of it in Python, the rest waiting for the database) and at most 240 MB; scale 100 with
it about 80 s and 160 MB. (``seed_borough`` then works out who may see each concern at a place
and the borough's figures: 342 s in all at scale 333.)
"""
