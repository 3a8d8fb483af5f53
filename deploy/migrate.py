"""Everything a release needs before its processes start: `python -m deploy.migrate [service ...]`.

Creates and migrates each service's database, then declares every durable event
queue, so no event published by the new release reaches an exchange with no queue
bound. Safe to run again and concurrently (yoyo takes a lock; declarations are idempotent).
The image runs it as `<image> migrate`.
"""

import sys

from common import config, migrate
from deploy.services import declare_event_queues


def main(names: list[str]) -> None:
    services = names or migrate.existing_services()
    migrate.migrate_all(services)
    queues = declare_event_queues(services, config.amqp_uri())
    print(f"migrated {', '.join(services)}; {len(queues)} durable event queues declared")


if __name__ == "__main__":
    main(sys.argv[1:])
