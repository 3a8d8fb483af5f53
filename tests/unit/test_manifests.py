"""The deployment files, checked offline: no image can be built or pulled and no cluster or
container daemon is reachable here, so what can be proven is proven without them.

- Kubernetes: `kubectl kustomize` renders the base and the production overlay, and every
  object validates against the Kubernetes schemas (kubernetes-validate, strict: unknown
  fields fail); every service in services/ has its Deployment, probes, resources, config.
- Compose: Debian's docker-compose validates deploy/compose.yaml against the compose
  specification (`config`, which needs no daemon); every service has its entry.
- Image: its entrypoint runs exactly the command the local runner starts.
"""

import json
import re
import shutil
import subprocess
import sys

import kubernetes_validate
import pytest
import yaml

from deploy import entrypoint, system
from deploy.services import SERVICE_CLASSES

ROOT = system.ROOT
K8S = ROOT / "deploy" / "k8s"
COMPOSE = ROOT / "deploy" / "compose.yaml"
CONTAINERFILE = ROOT / "deploy" / "Containerfile"
KUBERNETES_VERSION = "1.32.0"


def services():
    """Every service the repository has, whatever the manifests say."""
    return sorted(path.parent.name for path in (ROOT / "services").glob("*/service.py"))


def kustomize(path):
    if shutil.which("kubectl") is None:
        return without_kustomize(path)
    out = subprocess.run(["kubectl", "kustomize", str(path)], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return [doc for doc in yaml.safe_load_all(out.stdout) if doc]


def without_kustomize(path):
    """Where kubectl is missing (it is no Debian package): the base's files as they are; an
    overlay cannot be rendered without kustomize."""
    if path != K8S / "base":
        pytest.skip("kubectl (for its built-in kustomize) is not installed: the overlay is not rendered")
    kustomization = yaml.safe_load((path / "kustomization.yaml").read_text())
    return [
        doc
        for resource in kustomization["resources"]
        for doc in yaml.safe_load_all((path / resource).read_text())
        if doc
    ]


@pytest.fixture(scope="module", params=["base", "overlays/production"])
def rendered(request):
    return kustomize(K8S / request.param)


def by_kind(docs, kind):
    return {doc["metadata"]["name"]: doc for doc in docs if doc["kind"] == kind}


def test_every_object_validates_against_the_kubernetes_schemas(rendered):
    assert len(rendered) > 20
    for doc in rendered:
        kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)


def test_the_schema_check_rejects_what_kubernetes_would():
    deployment = by_kind(kustomize(K8S / "base"), "Deployment")["gateway"]
    deployment["spec"]["template"]["spec"]["containers"][0]["readinessProbes"] = []
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBERNETES_VERSION, strict=True)


def container_of(deployment):
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    return container


def probe_port(container, probe):
    """The number a probe's named port stands for."""
    port = container[probe]["httpGet"]["port"]
    return {p["name"]: p["containerPort"] for p in container["ports"]}.get(port, port)


def test_every_process_has_its_deployment_probes_resources_and_security(rendered):
    deployments = by_kind(rendered, "Deployment")
    config = by_kind(rendered, "ConfigMap")["jx-config"]["data"]
    for name in services() + ["gateway"]:
        assert name in deployments, f"{name} has no Deployment"
        pod = deployments[name]["spec"]["template"]["spec"]
        container = container_of(deployments[name])
        assert container["args"] == [name]
        assert entrypoint.command(container["args"]) == system.service_command(name)
        own_port = int(config["GATEWAY_PORT"] if name == "gateway" else config["METRICS_PORT"])
        for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
            assert probe_port(container, probe) == own_port, (name, probe)
            assert container[probe]["httpGet"]["path"] in ("/healthz", "/readyz"), (name, probe)
        assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
        assert container["startupProbe"]["httpGet"]["path"] == "/readyz"
        if name != "gateway":
            assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
        for bound in ("requests", "limits"):
            assert {"cpu", "memory"} <= set(container["resources"][bound]), (name, bound)
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert container["securityContext"]["readOnlyRootFilesystem"] is True
        assert container["securityContext"]["allowPrivilegeEscalation"] is False
        assert {"/tmp"} == {mount["mountPath"] for mount in container["volumeMounts"]}
        assert {c["topologyKey"] for c in pod["topologySpreadConstraints"]} >= {"topology.kubernetes.io/zone"}
        assert name in by_kind(rendered, "HorizontalPodAutoscaler"), f"{name} has no HorizontalPodAutoscaler"
        assert name in by_kind(rendered, "PodDisruptionBudget"), f"{name} has no PodDisruptionBudget"
        assert name in by_kind(rendered, "NetworkPolicy"), f"{name} has no NetworkPolicy"


def secret_env(container):
    return {
        e["name"]: e["valueFrom"]["secretKeyRef"]["name"]
        for e in container.get("env", [])
        if "secretKeyRef" in e.get("valueFrom", {})
    }


def test_every_process_gets_its_configuration_and_secrets_by_name(rendered):
    deployments = by_kind(rendered, "Deployment")
    config = by_kind(rendered, "ConfigMap")["jx-config"]["data"]
    assert {"METRICS_PORT", "METRICS_HOST", "GATEWAY_PORT", "GATEWAY_HOST", "S3_BUCKET", "LOG_LEVEL"} <= set(config)
    assert not by_kind(rendered, "Secret"), "secrets are created outside the repository, only referenced"
    for name in services() + ["gateway"]:
        container = container_of(deployments[name])
        assert {"configMapRef": {"name": "jx-config"}} in container["envFrom"]
        secrets = secret_env(container)
        assert secrets.get("AMQP_URI") == "jx-amqp", name
        if name != "gateway":
            assert secrets.get(f"DATABASE_URL_{name.upper()}") == f"jx-db-{name}", name
    assert secrets_of(deployments, "identity")["JWT_SECRET"] == secrets_of(deployments, "gateway")["JWT_SECRET"]
    for name in ("applications", "gateway"):  # both talk to the object store
        assert {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"} <= set(secrets_of(deployments, name)), name
    job = by_kind(rendered, "Job")["migrate"]
    job_container = job["spec"]["template"]["spec"]["containers"][0]
    assert job_container["args"] == ["migrate"]
    assert {f"DATABASE_URL_{name.upper()}" for name in services()} | {"AMQP_URI"} <= set(secret_env(job_container))


def secrets_of(deployments, name):
    return secret_env(container_of(deployments[name]))


def test_only_the_gateway_is_reachable_from_outside(rendered):
    assert set(by_kind(rendered, "Service")) == {"gateway"}
    (ingress,) = by_kind(rendered, "Ingress").values()
    backends = {
        path["backend"]["service"]["name"] for rule in ingress["spec"]["rules"] for path in rule["http"]["paths"]
    }
    assert backends == {"gateway"}
    policies = by_kind(rendered, "NetworkPolicy")
    deny = policies["default-deny"]["spec"]
    assert deny["podSelector"] == {} and set(deny["policyTypes"]) == {"Ingress", "Egress"}
    assert "ingress" not in deny and "egress" not in deny
    for name in services():
        spec = policies[name]["spec"]
        assert [rule["ports"] for rule in spec["ingress"]] == [[{"port": 9100, "protocol": "TCP"}]]
        targets = [peer["podSelector"]["matchLabels"] for rule in spec["egress"] for peer in rule["to"]]
        databases = [t for t in targets if t.get("app.kubernetes.io/name") == "postgresql"]
        assert databases == [{"app.kubernetes.io/name": "postgresql", "jx.example/database": name}], name
        assert {"app.kubernetes.io/name": "rabbitmq"} in targets


# ---- the image ---------------------------------------------------------------------------------


def containerfile():
    text = CONTAINERFILE.read_text()
    return text, {m.group(1): m.group(2) for m in re.finditer(r"^(FROM|USER|ENTRYPOINT|CMD) (.+)$", text, re.M)}


def test_the_image_entrypoint_runs_the_local_runners_command():
    _text, lines = containerfile()
    argv = json.loads(lines["ENTRYPOINT"])
    assert argv == ["python", "-m", "deploy.entrypoint"]
    for name in SERVICE_CLASSES:
        assert entrypoint.command([name]) == system.service_command(name)
    assert entrypoint.command(["migrate"]) == [system.PYTHON, "-m", "deploy.migrate"]
    wrong = subprocess.run(
        [sys.executable, "-m", "deploy.entrypoint", "no-such-service"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert wrong.returncode != 0 and "usage:" in wrong.stderr


def test_the_image_is_pinned_non_root_and_checks_its_health():
    text, lines = containerfile()
    assert re.fullmatch(r"\S+python:\d+\.\d+\.\d+-slim-\w+", lines["FROM"]), lines["FROM"]
    assert re.fullmatch(r"[1-9]\d*:[1-9]\d*", lines["USER"])
    assert "HEALTHCHECK" in text and "deploy.healthcheck" in text
    for package in ("common", "contracts", "deploy", "gateway", "services"):
        assert f"COPY {package}/ {package}/" in text


# ---- compose -----------------------------------------------------------------------------------


def compose_config(path=COMPOSE, env_file=COMPOSE.parent / ".env.example"):
    """`docker-compose config`: the file validated against the compose specification, resolved."""
    if shutil.which("docker-compose") is None:
        pytest.fail("docker-compose is not installed (debian-packages.txt installs it)")
    # A clean environment: the test run's own variables (JWT_SECRET, ...) must not fill the gaps.
    return subprocess.run(
        ["docker-compose", "-f", str(path), "--env-file", str(env_file), "config"],
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin"},
    )


def test_compose_file_is_valid_and_runs_every_service_after_the_migration():
    out = compose_config()
    assert out.returncode == 0, out.stderr
    config = yaml.safe_load(out.stdout)
    compose = config["services"]
    assert {"rabbitmq", "postgres", "s3", "migrate"} <= set(compose)
    assert compose["migrate"]["command"] == ["migrate"]
    for name in services():
        assert name in compose, f"{name} has no compose service"
        assert compose[name]["command"] == [name]
        assert compose[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        assert compose[name]["read_only"] is True
    assert set(compose["gateway"]["depends_on"]) >= set(services())
    assert all(compose["gateway"]["depends_on"][name]["condition"] == "service_healthy" for name in services())
    assert set(config["volumes"]) == {"rabbitmq-data", "postgres-data", "s3-data"}


def test_compose_holds_no_secrets_and_refuses_to_start_without_them(tmp_path):
    for line in COMPOSE.read_text().splitlines():
        if re.search(r"(PASSWORD|SECRET|_PASS)\w*:", line):
            assert "${" in line, f"a secret written into the file: {line.strip()}"
    empty = tmp_path / "empty.env"
    empty.write_text("")
    out = compose_config(env_file=empty)
    assert out.returncode != 0 and "deploy/.env" in out.stderr


def test_the_compose_check_rejects_what_the_specification_does(tmp_path):
    broken = tmp_path / "compose.yaml"
    broken.write_text(COMPOSE.read_text().replace("read_only: true", "read_only: sometimes", 1))
    out = compose_config(path=broken)
    assert out.returncode != 0 and "read_only" in out.stderr
