"""Authoring: the student labs and notebooks made from the course's solutions (`build`, `notebooks`).

Grading never imports this package (`tests/test_imports.py`).
"""
