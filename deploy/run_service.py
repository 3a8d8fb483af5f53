"""Run one service (or the gateway) as its own process: `python -m deploy.run_service NAME`.

A small runner instead of `nameko run`: it patches eventlet before psycopg is
imported, logs JSON lines, takes configuration from the environment and stops
gracefully on SIGTERM/SIGINT, as container orchestrators expect.
"""
from common import green

green.patch()

import logging  # noqa: E402
import os  # noqa: E402
import signal  # noqa: E402
import sys  # noqa: E402

import eventlet  # noqa: E402
from nameko.runners import ServiceRunner  # noqa: E402
from prometheus_client import start_http_server  # noqa: E402

from common import config, logs  # noqa: E402
from deploy.services import service_class  # noqa: E402


def nameko_config(name):
    extra = {}
    if name == "gateway":
        extra["WEB_SERVER_ADDRESS"] = f"{config.env('GATEWAY_HOST', '127.0.0.1')}:{config.gateway_port()}"
    return config.nameko_config(**extra)


def main(name):
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
    runner.start()
    metrics_port = config.env("METRICS_PORT")
    if metrics_port and name != "gateway":  # the gateway serves /metrics itself
        start_http_server(int(metrics_port), addr=config.env("METRICS_HOST", "127.0.0.1"))
    logs.log(log, logging.INFO, "started", pid=os.getpid(), metrics_port=metrics_port)
    stopping.wait()
    logs.log(log, logging.INFO, "stopping")
    with eventlet.Timeout(10, False):
        runner.stop()
    runner.kill()


if __name__ == "__main__":
    main(sys.argv[1])
