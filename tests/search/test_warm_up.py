"""warm_up must reach every search kernel, however long compiling takes.

On a fresh machine the kernels compile inside warm_up's own jobs. When those jobs stopped on a
deadline, compiling the construction used it up, the separator was never reached, and its
kernels (a minute of compiling) were paid inside the user's next time limit.
"""

from __future__ import annotations

import leathernest.nest as nest_module
from leathernest.search.kernels import separate as ksep


def test_warm_up_runs_the_separator_on_both_jobs_under_a_work_budget(monkeypatch):
    calls = {"separate": 0}
    real_separate = ksep.separate

    def counting_separate(*args):
        calls["separate"] += 1
        return real_separate(*args)

    monkeypatch.setattr(ksep, "separate", counting_separate)
    runs = []
    real_nest = nest_module.nest

    def recording_nest(job, *args, stop=None, **kwargs):
        before = calls["separate"]
        solution = real_nest(job, *args, stop=stop, **kwargs)
        runs.append((job.is_strip, stop.effort, calls["separate"] - before,
                     len(solution.unplaced)))
        return solution

    monkeypatch.setattr(nest_module, "nest", recording_nest)
    nest_module.warm_up()
    assert [r[0] for r in runs] == [True, False]
    for is_strip, effort, separations, unplaced in runs:
        assert effort == nest_module.WARM_UP_EFFORT, "warm-up jobs stop on work, not the clock"
        assert separations > 0, f"{'strip' if is_strip else 'hide'} warm-up never separated"
        assert unplaced == 0
