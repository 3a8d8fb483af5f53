"""The container image's entrypoint: `NAME` runs one service (or the gateway), `migrate` prepares.

    <image> applications      -> exactly the local runner's command (deploy.system.service_command)
    <image> migrate [NAME...] -> databases created and migrated, durable event queues declared
                                 (for an init container, a Kubernetes Job or compose's one-shot step)

The process replaces this one (exec), so signals and the exit code are the program's own.
"""

import os
import sys

from deploy import system
from deploy.services import SERVICE_CLASSES

USAGE = f"usage: <image> {{{'|'.join(SERVICE_CLASSES)}}} | migrate [service ...]"


def command(argv):
    """The command line this entrypoint runs for `argv` (the container's arguments)."""
    if argv and argv[0] == "migrate":
        return [system.PYTHON, "-m", "deploy.migrate", *argv[1:]]
    if len(argv) == 1 and argv[0] in SERVICE_CLASSES:
        return system.service_command(argv[0])
    raise SystemExit(USAGE)


def main(argv):
    argv = command(argv)
    os.execv(argv[0], argv)


if __name__ == "__main__":
    main(sys.argv[1:])
