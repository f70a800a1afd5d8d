"""Trainee scoring.

A hand layout matched to the job (``hand_match``), judged and compared with the engine's
(``score``, ``compare``), the trade's first and second waste (``waste``) and where the leather
went (``feedback``).
"""
