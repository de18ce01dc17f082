"""The course's autograder: build the student labs, grade submissions in a sandbox.

Run it as `python -m autograder --help`.
"""
