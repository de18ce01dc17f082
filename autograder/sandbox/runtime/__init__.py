"""The code that runs inside the sandbox: the warm worker, the child, and what they speak.

Copied as a whole into every sandbox (`sandbox.Sandbox`), where the worker
and the child load these files by path: they import only the standard
library and NumPy (`tests/test_imports.py` says so), so that nothing of the
grader's own code or packages is in reach of student code. The grader
imports `protocol`, `wire` and `landlock` from here too: one definition for
both sides.
"""
