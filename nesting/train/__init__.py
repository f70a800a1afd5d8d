"""The trainer: a trainee nests an order by hand in the browser, every rule checked live.

- :mod:`~leathernest.train.session`: one training session (the job, the engine's layout computed
  in the background, checks, scores and exports of the page's layouts), free of any web code;
- :mod:`~leathernest.train.app`: the Starlette application (the page and its JSON API);
- :mod:`~leathernest.train.serve`: binds the port and runs it with uvicorn;
- :mod:`~leathernest.train.exercises`: graded exercises from the pattern library and the hide
  generator, reproducible by seed;
- :mod:`~leathernest.train.classroom`: a trainer's summary of a class's submissions.

The page itself (``static/``: HTML, CSS, one script) is shipped as package data and loads nothing
from the network. Starlette and uvicorn are imported only by ``app`` and ``serve``.
"""
