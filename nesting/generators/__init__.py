"""Seeded generators of test material.

Hides with grade zones and a backbone (``hides``) and the defects real leather has (``defects``).
"""
