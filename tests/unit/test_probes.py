"""A service process's /readyz: what makes it ready and what does not."""

import json
from types import SimpleNamespace

from common.relay import OutboxRelay
from common.rpc import Store
from deploy.probes import Probes


class FailingPool:
    def connection(self, timeout):
        raise OSError("connection refused")


def probes(*dependencies, state="running"):
    runner = SimpleNamespace(containers=[SimpleNamespace(dependencies=set(dependencies))])
    # Port 9 (discard) on loopback refuses AMQP at once: a broker that is down.
    checked = Probes(runner, "amqp://guest:guest@127.0.0.1:9/")
    checked.state = state
    return checked


def call(app, path):
    answer = {}

    def start_response(status, headers):
        answer["status"] = int(status.split()[0])

    body = b"".join(app(path_environ(path), start_response))
    return answer["status"], body


def path_environ(path):
    return {"PATH_INFO": path, "REQUEST_METHOD": "GET"}


def relay_in(role):
    dependency = OutboxRelay()
    dependency.relay = SimpleNamespace(name="applications", role=role)
    return dependency


def test_not_ready_while_starting_or_draining():
    for state in ("starting", "draining"):
        _passed, failed = probes(state=state).readiness()
        assert failed == {"process": [state]}


def test_each_failed_check_is_named():
    store = Store("applications", object)
    store.pool = FailingPool()
    _passed, failed = probes(store, relay_in("reconnecting")).readiness()
    assert set(failed) == {"rabbitmq", "database:applications", "relay:applications"}
    assert "connection refused" in failed["database:applications"][0]
    assert failed["relay:applications"] == ["RuntimeError: relay is reconnecting"]


def test_readyz_answers_503_in_the_contract_error_format_and_healthz_200():
    app = probes(relay_in("standby")).app
    status, body = call(app, "/readyz")
    assert status == 503
    error = json.loads(body)["error"]
    assert error["code"] == "SERVICE_UNAVAILABLE" and "rabbitmq" in error["details"]
    assert call(app, "/healthz") == (200, b'{"status": "ok"}')
    assert call(app, "/metrics")[0] == 200
    assert call(app, "/elsewhere")[0] == 404
