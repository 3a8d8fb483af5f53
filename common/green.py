"""Eventlet set-up shared by every process that runs Nameko services.

Must run before psycopg is imported: psycopg picks its wait function at import
time, and its default C wait blocks the eventlet hub, serialising every query
of the process. `wait_select` yields to the hub instead.
"""
import os


def quiet() -> None:
    """Eventlet warns at import that it is in maintenance mode; we know (see ARCHITECTURE)."""
    import warnings
    warnings.filterwarnings("ignore", message=r"(?s).*Eventlet is deprecated")


def patch() -> None:
    os.environ.setdefault("PSYCOPG_WAIT_FUNC", "wait_select")
    quiet()
    import eventlet
    eventlet.monkey_patch()
