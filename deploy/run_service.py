"""Run one service (or the gateway) as its own process: `python -m deploy.run_service NAME`.

A small runner instead of `nameko run`: it patches eventlet before psycopg is
imported, logs JSON lines, takes configuration from the environment, serves the
process's probes and metrics on `METRICS_PORT` (deploy.probes; the gateway serves
its own on the gateway port) and, on SIGTERM/SIGINT, drains within
`DRAIN_SECONDS`: it stops taking new messages, lets running workers finish, and
whatever is still unfinished then is requeued by the broker when the process
closes its connection. This is the command the container image runs too.
"""

from common import green

green.patch()

import logging  # noqa: E402
import os  # noqa: E402
import signal  # noqa: E402
import sys  # noqa: E402

import eventlet  # noqa: E402
from nameko.runners import ServiceRunner  # noqa: E402

from common import config, logs  # noqa: E402
from deploy.probes import Probes  # noqa: E402
from deploy.services import declare_event_queues, service_class  # noqa: E402

#: docker stop waits 10 s before SIGKILL (Kubernetes 30 s): drain, then leave time to exit.
DRAIN_SECONDS = 7


#: The processes that sign (identity) or verify (gateway) tokens; the others never need the key.
SIGNING_KEY_HOLDERS = ("gateway", "identity")


def nameko_config(name):
    extra = {}
    if name == "gateway":
        extra["WEB_SERVER_ADDRESS"] = f"{config.env('GATEWAY_HOST', '127.0.0.1')}:{config.gateway_port()}"
        # Its workers only wait on RPCs: too few, and requests would queue for one before their bound starts.
        extra["max_workers"] = config.gateway_max_workers()
    return config.nameko_config(**extra)


def main(name):
    try:
        config.check(holds_signing_key=name in SIGNING_KEY_HOLDERS)
    except config.ConfigError as exc:
        # Every process that signs or verifies tokens checks, so none runs with a guessable or missing key.
        print(f"{name}: {exc}", file=sys.stderr)
        return 2
    logs.configure(name, config.env("LOG_LEVEL", "INFO"))
    log = logging.getLogger("runner")
    runner = ServiceRunner(nameko_config(name))
    runner.add_service(service_class(name))
    stopping = eventlet.event.Event()

    def on_signal(signum, frame):
        if not stopping.ready():
            stopping.send(signum)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    probes = Probes(runner, config.amqp_uri())
    # This service's own event queues exist before anything in it can publish (the migration step
    # declares every service's; a process loads no other service's code).
    declare_event_queues([name], config.amqp_uri())
    metrics_port = config.env("METRICS_PORT")
    if metrics_port and name != "gateway":
        probes.serve(config.env("METRICS_HOST", "127.0.0.1"), int(metrics_port))
    runner.start()
    probes.state = "running"
    logs.log(log, logging.INFO, "started", pid=os.getpid(), metrics_port=metrics_port)

    def watch():
        # A container that dies (Nameko kills it when, say, a reply cannot be published while
        # the broker is down) leaves a process that answers nothing: end it, to be restarted.
        try:
            runner.wait()
        except Exception as exc:  # noqa: BLE001  (whatever killed the container)
            if not stopping.ready():
                stopping.send(exc)

    eventlet.spawn(watch)
    reason = stopping.wait()
    if isinstance(reason, Exception):
        probes.state = "failed"
        logs.log(log, logging.ERROR, "service container died; exiting to be restarted", error=repr(reason))
        runner.kill()
        return 1
    probes.state = "draining"
    logs.log(log, logging.INFO, "draining", seconds=DRAIN_SECONDS)
    with eventlet.Timeout(DRAIN_SECONDS, False):
        runner.stop()
    runner.kill()
    logs.log(log, logging.INFO, "stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
