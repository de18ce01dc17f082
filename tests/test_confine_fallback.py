"""As root, a sandbox user that cannot run Python means a warning, or an error when insisted on."""

import os

import pytest

from autograder import confine

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="only a root grader changes user")


@pytest.fixture
def unusable_user(monkeypatch):
    monkeypatch.setattr(confine, "_can_run_python", lambda uid, gid: False)
    monkeypatch.setattr(confine, "_warn_once", lambda message: print(f"warning: {message}"))


def test_by_default_grading_goes_on_unconfined_with_a_warning(unusable_user, monkeypatch, capsys):
    monkeypatch.delenv(confine.USER_VARIABLE, raising=False)
    assert confine.confinement() is None
    assert "student code runs as root, unconfined" in capsys.readouterr().out


def test_a_named_user_that_cannot_run_python_is_an_error(unusable_user, monkeypatch):
    monkeypatch.setenv(confine.USER_VARIABLE, "nobody")
    with pytest.raises(confine.ConfinementError, match="cannot run"):
        confine.confinement()


def test_an_unknown_user_is_an_error(monkeypatch):
    monkeypatch.setenv(confine.USER_VARIABLE, "no-such-user-here")
    with pytest.raises(confine.ConfinementError, match="no user named"):
        confine.confinement()
