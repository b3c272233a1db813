"""SIGTERM handling of the command line: a termination swallowed by a finaliser is still honoured."""

import os
import signal

import pytest

from signspark import termination


def test_a_swallowed_termination_is_raised_at_the_next_check():
    previous = termination.install()
    try:
        termination.raise_if_terminated()  # nothing pending yet
        try:
            os.kill(os.getpid(), signal.SIGTERM)
            pytest.fail("the handler did not raise")
        except SystemExit as e:  # what a __del__ would drop
            assert e.code == 143
        with pytest.raises(SystemExit) as again:
            termination.raise_if_terminated()
        assert again.value.code == 143
    finally:
        termination.restore(previous)
    termination.raise_if_terminated()  # restored: nothing pending
    assert signal.getsignal(signal.SIGTERM) is previous
