"""`make up`: the whole system in the foreground on this machine; Ctrl-C stops it all."""
import os
import sys
import threading

from honcho.manager import Manager

from common import config, migrate
from deploy import seed, system
from deploy.services import declare_event_queues


def demo_password():
    return config.env("DEMO_PASSWORD", "Demo-2026")


def announce(base_url, s3_url):
    try:
        system.wait_http(base_url + "/readyz", timeout=90)
    except system.NotReady as exc:
        print(f"\n!! not ready: {exc}\n", flush=True)
        return
    print(f"""
==============================================================
 就业见习 个人网上服务大厅 is up
   web UI / API : {base_url}/
   OpenAPI      : {base_url}/api/openapi.json
   readiness    : {base_url}/readyz
   S3 (local)   : {s3_url}
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
    except system.NotReady as exc:
        print(f"make up: {exc}", file=sys.stderr)
        return 1

    services = migrate.existing_services()
    migrate.migrate_all(services)
    seed.run(demo_password())
    declare_event_queues(services, config.amqp_uri())

    s3_url = external_s3 or f"http://127.0.0.1:{s3_port}"
    env = system.base_env(S3_ENDPOINT_URL=s3_url, GATEWAY_PORT=port)
    manager = Manager()
    if not external_s3:
        manager.add_process("s3", " ".join(system.s3_command(s3_port)), env=env, cwd=str(system.ROOT))
    for name in services + ["gateway"]:
        manager.add_process(name, " ".join(system.service_command(name)), env=env, cwd=str(system.ROOT))
    threading.Thread(target=announce, args=(f"http://127.0.0.1:{port}", s3_url), daemon=True).start()
    manager.loop()
    return manager.returncode


if __name__ == "__main__":
    os.chdir(system.ROOT)
    sys.exit(main())
