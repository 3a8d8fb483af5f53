"""`make up`: the whole system in the foreground on this machine; Ctrl-C stops it all."""
import os
import shlex
import sys
import threading

from honcho.manager import Manager

from common import config, migrate
from deploy import seed, system
from deploy.services import declare_event_queues


def demo_password():
    return config.env("DEMO_PASSWORD", "Demo-2026")


def shell_command(argv):
    """honcho runs commands through sh; exec makes the signals and exit codes the program's own."""
    return "exec " + shlex.join(argv)


def metrics_ports(services):
    """Each service process serves its own Prometheus metrics (relay lag, parked events, ...)."""
    base = int(config.env("METRICS_PORT_BASE", "9101"))
    return {name: base + i for i, name in enumerate(services)}


def announce(base_url, s3_url, ports):
    try:
        system.wait_http(base_url + "/readyz", timeout=90)
    except system.NotReady as exc:
        print(f"\n!! not ready: {exc}\n", flush=True)
        return
    metrics = ", ".join(f"{name} :{port}" for name, port in ports.items())
    print(f"""
==============================================================
 就业见习 个人网上服务大厅 is up
   web UI       : {base_url}/
   API          : {base_url}/api/v1/...
   OpenAPI      : {base_url}/api/openapi.json
   readiness    : {base_url}/readyz
   S3 (local)   : {s3_url}
   metrics      : {base_url}/metrics (gateway), {metrics}
 demo accounts (password {demo_password()!r}, env DEMO_PASSWORD):
   demo_reviewer  reviewer, whole province
   demo_admin     admin
 Ctrl-C stops everything.
==============================================================
""", flush=True)


def main():
    port = config.gateway_port()
    s3_port = int(config.env("S3_PORT", "9070"))
    try:
        system.check_postgres()
        system.check_rabbitmq()
        system.check_port_free(port, "the gateway (GATEWAY_PORT)")
        external_s3 = config.s3_endpoint_url()
        if not external_s3:
            system.check_port_free(s3_port, "the local S3 server (S3_PORT)")
        services = migrate.existing_services()
        ports = metrics_ports(services)
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
    manager = Manager()
    if not external_s3:
        manager.add_process("s3", shell_command(system.s3_command(s3_port)), env=env, cwd=str(system.ROOT))
    for name in services + ["gateway"]:
        process_env = dict(env, METRICS_PORT=str(ports[name])) if name in ports else env
        manager.add_process(name, shell_command(system.service_command(name)), env=process_env, cwd=str(system.ROOT))
    threading.Thread(target=announce, args=(f"http://127.0.0.1:{port}", s3_url, ports), daemon=True).start()
    manager.loop()
    return manager.returncode


if __name__ == "__main__":
    os.chdir(system.ROOT)
    sys.exit(main())
