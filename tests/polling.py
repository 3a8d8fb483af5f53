"""Waiting for something asynchronous (an event handled, a process ready) in tests."""

import time


def wait_for(predicate, timeout=10, interval=0.02):
    """The first truthy value of `predicate()`; fails the test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"not within {timeout}s")
