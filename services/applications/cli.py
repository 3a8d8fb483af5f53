"""Operator commands for the applications service.

python -m services.applications.cli rebuild-projections   # read models from the event log
python -m services.applications.cli purge-uploads         # uploads no case took within a day
"""

import argparse
import sys

from common import config, db, objects, projections
from services.applications.store import READ_MODEL_TABLES, ApplicationsStore, project


def purge_uploads(out=sys.stdout):
    bucket = objects.Bucket(objects.client(), config.s3_bucket())
    pool = db.create_pool("applications", max_size=1)
    try:
        store = ApplicationsStore(pool)
        total = 0
        while purged := store.purge_unbound(bucket.delete):
            total += purged
    finally:
        pool.close()
    print(f"purged {total} unbound uploads", file=out)
    return total


def main(argv=None):
    parser = argparse.ArgumentParser(prog="services.applications.cli")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("rebuild-projections", help="rebuild the read models from the event log")
    sub.add_parser("purge-uploads", help="delete uploads no case took within a day (bucket and database)")
    args = parser.parse_args(argv)
    if args.command == "rebuild-projections":
        projections.main("applications", READ_MODEL_TABLES, project)
    else:
        purge_uploads()
    return 0


if __name__ == "__main__":
    sys.exit(main())
