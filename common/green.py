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
    # eventlet's native threads (tpool) run CPU-bound work here, argon2 hashing with 19 MiB
    # each: more threads than cores only queue for the CPU, and every one of them that ever
    # hashed keeps its memory, so the default 20 made resident memory creep up under load.
    os.environ.setdefault("EVENTLET_THREADPOOL_SIZE", str(os.cpu_count() or 2))
    quiet()
    import eventlet

    eventlet.monkey_patch()
