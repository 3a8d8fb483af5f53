"""`make up`: the whole system in the foreground on this machine; Ctrl-C stops it all.

Every process runs under `deploy.supervisor`, which restarts one that exits (with
back-off, and says so), as an orchestrator would. `REPLICAS=N` runs N processes of
every service and of the gateway, `REPLICAS_<NAME>=N` of one (e.g. REPLICAS_APPLICATIONS=3).
Gateway replicas share GATEWAY_PORT through SO_REUSEPORT (the kernel spreads new
connections over them); each service replica serves its probes and metrics on its own
port counted up from METRICS_PORT_BASE.
"""

import os
import signal
import sys
import threading

from common import config, migrate
from deploy import secrets, seed, system
from deploy.services import declare_event_queues
from deploy.supervisor import Supervisor


def demo_password():
    return config.env("DEMO_PASSWORD", "Demo-2026")


def metrics_ports(services, replicas):
    """Each service process serves its own probes and Prometheus metrics: {replica name: port}."""
    base = int(config.env("METRICS_PORT_BASE", "9101"))
    names = [replica for name in services for replica in system.replica_names(name, replicas[name])]
    return {replica: base + i for i, replica in enumerate(names)}


def announce(base_url, s3_url, ports, replicas):
    try:
        system.wait_http(base_url + "/readyz", timeout=90)
    except system.NotReady as exc:
        print(f"\n!! not ready: {exc}\n", flush=True)
        return
    metrics = ", ".join(f"{name} :{port}" for name, port in ports.items())
    counts = ", ".join(f"{name} x{count}" for name, count in replicas.items())
    print(
        f"""
==============================================================
 就业见习 个人网上服务大厅 is up
   web UI       : {base_url}/
   API          : {base_url}/api/v1/...
   OpenAPI      : {base_url}/api/openapi.json
   readiness    : {base_url}/readyz
   S3 (local)   : {s3_url}
   processes    : {counts} (REPLICAS, REPLICAS_<NAME>)
   metrics      : {base_url}/metrics (gateway), {metrics}
                  (each also serves /healthz and /readyz)
 demo accounts (password {demo_password()!r}, env DEMO_PASSWORD):
   demo_reviewer  reviewer, whole province
   demo_admin     admin
 A process that exits is restarted. Ctrl-C stops everything.
==============================================================
""",
        flush=True,
    )


def main():
    port = config.gateway_port()
    s3_port = int(config.env("S3_PORT", "9070"))
    try:
        secrets.provide_jwt_secret()
        system.check_postgres()
        system.check_rabbitmq()
        system.check_port_free(port, "the gateway (GATEWAY_PORT)")
        external_s3 = config.s3_endpoint_url()
        if not external_s3:
            system.check_port_free(s3_port, "the local S3 server (S3_PORT)")
        services = migrate.existing_services()
        replicas = system.replica_counts(services + ["gateway"])
        ports = metrics_ports(services, replicas)
        for name, metrics_port in ports.items():
            system.check_port_free(metrics_port, f"{name}'s metrics (METRICS_PORT_BASE)")
    except system.NotReady as exc:
        print(f"make up: {exc}", file=sys.stderr)
        return 1

    migrate.migrate_all(services)
    seed.run(demo_password())
    declare_event_queues(services, config.amqp_uri())

    s3_url = external_s3 or f"http://127.0.0.1:{s3_port}"
    env = system.base_env(S3_ENDPOINT_URL=s3_url, GATEWAY_PORT=port)
    supervisor = Supervisor(system.ROOT)
    if not external_s3:
        supervisor.add("s3", system.s3_command(s3_port), env)
    for name in services:
        for replica in system.replica_names(name, replicas[name]):
            supervisor.add(replica, system.service_command(name), dict(env, METRICS_PORT=str(ports[replica])))
    gateway_env = system.gateway_replica_env(env, replicas["gateway"])
    for replica in system.replica_names("gateway", replicas["gateway"]):
        supervisor.add(replica, system.service_command("gateway"), gateway_env)
    stop = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    supervisor.start()
    threading.Thread(target=announce, args=(f"http://127.0.0.1:{port}", s3_url, ports, replicas), daemon=True).start()
    while not stop.wait(0.5):
        pass
    supervisor.say("stopping every process (each drains its work first)")
    supervisor.stop()
    return 0


if __name__ == "__main__":
    os.chdir(system.ROOT)
    sys.exit(main())
