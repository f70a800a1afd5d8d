"""The trainer and the class server: trainees nest orders by hand in the browser, checked live.

- :mod:`~leathernest.train.store` (with :mod:`~leathernest.train.tables` and Alembic's
  ``migrations/``): classes, exercises, trainees and every attempt in SQLite or PostgreSQL;
- :mod:`~leathernest.train.movecheck`: a move checked on the moved piece only, with the exact
  validator's rules and tolerance;
- :mod:`~leathernest.train.checking`: checks, validations and scores in worker processes;
- :mod:`~leathernest.train.engine_runs`: each exercise's engine layout, once, in the background;
- :mod:`~leathernest.train.classapp`: the Starlette application (the pages and the JSON API,
  with the trainer's key and the trainees' tokens); :mod:`~leathernest.train.serve` runs it;
- :mod:`~leathernest.train.session`: the job as the page draws it, and the downloads;
- :mod:`~leathernest.train.i18n`: every message in six languages (gettext catalogues in
  ``locale/``); the pages' words are in ``static/messages.json``;
- :mod:`~leathernest.train.exercises`: graded exercises, reproducible by seed;
- :mod:`~leathernest.train.classroom`: a summary of a class's submissions (``leathernest class``)
  and the CSV rows of the class server's attempts.

The pages (``static/``: HTML, CSS, scripts, the JSON catalogue) are shipped as package data and
load nothing from the network. Starlette and uvicorn are imported only by ``classapp`` and
``serve``, which only the commands import.
"""
