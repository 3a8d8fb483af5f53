"""One-line diagnosis before the tests: are PostgreSQL and RabbitMQ reachable?"""

import sys

from deploy import system

if __name__ == "__main__":
    try:
        system.check_postgres()
        system.check_rabbitmq()
    except system.NotReady as exc:
        print(f"make test: {exc}", file=sys.stderr)
        sys.exit(1)
