"""deploy/kubernetes, checked offline: every manifest is valid against Kubernetes' own JSON
schemas (bundled in the `kubernetes-validate` package, strict: an unknown or misspelt field is
an error), and the topology is the one docs/deployment.md describes: N web pods behind a load
balancer, N workers, exactly one beat, one PostgreSQL and one Redis, each pod given only the
secrets it needs and every variable one the settings read."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
FOLDER = ROOT / "deploy" / "kubernetes"
KUBERNETES_VERSION = "1.30.0"  # the oldest minor release still maintained upstream
APP_IMAGE = "labor-rights-commission"


def _documents() -> list[tuple[str, dict]]:
    return [
        (path.name, doc)
        for path in sorted(FOLDER.glob("*.yaml"))
        if path.name != "kustomization.yaml"
        for doc in yaml.safe_load_all(path.read_text())
        if doc
    ]


DOCUMENTS = _documents()


def _get(kind: str, name: str) -> dict:
    found = [d for _, d in DOCUMENTS if d["kind"] == kind and d["metadata"]["name"] == name]
    assert len(found) == 1, (kind, name, len(found))
    return found[0]


def _pod(workload: dict) -> dict:
    return workload["spec"]["template"]["spec"]


def _app_containers() -> list[tuple[str, dict]]:
    return [
        (f"{d['kind']}/{d['metadata']['name']}", c)
        for _, d in DOCUMENTS
        if d["kind"] in {"Deployment", "Job"}
        for c in _pod(d).get("initContainers", []) + _pod(d)["containers"]
    ]


@pytest.mark.parametrize(
    ("file", "document"),
    DOCUMENTS,
    ids=[f"{file}:{d['kind']}/{d['metadata']['name']}" for file, d in DOCUMENTS],
)
def test_every_manifest_is_valid_against_the_kubernetes_schemas(file, document):
    import kubernetes_validate

    kubernetes_validate.validate(document, KUBERNETES_VERSION, strict=True)


def test_the_schema_check_refuses_a_wrong_manifest():
    import kubernetes_validate

    web = yaml.safe_load(yaml.safe_dump(_get("Deployment", "web")))
    web["spec"]["replicas"] = "three"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(web, KUBERNETES_VERSION, strict=True)
    web = yaml.safe_load(yaml.safe_dump(_get("Deployment", "web")))
    web["spec"]["template"]["spec"]["containers"][0]["imagePullPolicyy"] = "Always"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(web, KUBERNETES_VERSION, strict=True)


def test_the_kustomization_lists_every_manifest():
    kustomization = yaml.safe_load((FOLDER / "kustomization.yaml").read_text())
    files = {p.name for p in FOLDER.glob("*.yaml")} - {"kustomization.yaml"}
    assert set(kustomization["resources"]) == files
    assert kustomization["namespace"] == "commission"
    assert [i["name"] for i in kustomization["images"]] == [APP_IMAGE]


def test_web_and_workers_scale_and_beat_is_exactly_one():
    web, worker, beat = (_get("Deployment", n) for n in ("web", "worker", "beat"))
    assert web["spec"]["replicas"] >= 2
    assert worker["spec"]["replicas"] >= 2
    assert beat["spec"]["replicas"] == 1
    # A rollout never runs the old and the new beat together.
    assert beat["spec"]["strategy"]["type"] == "Recreate"
    assert _get("PodDisruptionBudget", "web")["spec"]["minAvailable"] < web["spec"]["replicas"]
    commands = {
        name: _pod(d)["containers"][0]["command"]
        for name, d in (("web", web), ("worker", worker), ("beat", beat))
    }
    assert commands["web"][:2] == ["gunicorn", "config.wsgi:application"]
    assert commands["worker"][:4] == ["celery", "-A", "config", "worker"]
    assert commands["beat"][:4] == ["celery", "-A", "config", "beat"]
    # The load balancer reaches the web pods (and only them) through the Service.
    service = _get("Service", "web")
    assert service["spec"]["selector"] == web["spec"]["selector"]["matchLabels"]
    backend = _get("Ingress", "web")["spec"]["rules"][0]["http"]["paths"][0]["backend"]
    assert backend["service"]["name"] == "web"


def test_one_postgresql_and_one_redis_with_persistent_volumes():
    for name in ("postgres", "redis"):
        workload = _get("StatefulSet", name)
        assert workload["spec"]["replicas"] == 1
        assert workload["spec"]["volumeClaimTemplates"], name
    redis = _pod(_get("StatefulSet", "redis"))["containers"][0]["args"]
    assert ["--appendonly", "yes"] == redis[1:3]
    assert "noeviction" in redis
    config = _get("ConfigMap", "commission-config")["data"]
    assert config["CELERY_BROKER_URL"].startswith("redis://redis:6379/")
    assert config["CACHE_URL"].startswith("redis://redis:6379/")
    assert config["CACHE_URL"] != config["CELERY_BROKER_URL"]


def test_the_postgres_init_script_is_the_compose_one():
    script = _get("ConfigMap", "postgres-init")["data"]["10-roles.sh"]
    assert script == (ROOT / "docker" / "postgres" / "roles.sh").read_text()


def test_every_app_pod_runs_the_one_image_as_non_root_with_production_settings():
    config = _get("ConfigMap", "commission-config")["data"]
    assert config["DJANGO_SETTINGS_MODULE"] == "config.settings.production"
    assert config["MEDIA_STORAGE"] == "s3"  # pods on several nodes share no volume
    for name, container in _app_containers():
        assert container["image"] == APP_IMAGE, name
        refs = [next(iter(r.values()))["name"] for r in container["envFrom"]]
        assert refs[:2] == ["commission-config", "commission-secrets"], name
        assert container["securityContext"]["allowPrivilegeEscalation"] is False, name
        assert "resources" in container, name
    for _, d in DOCUMENTS:
        if d["kind"] in {"Deployment", "Job"}:
            assert _pod(d)["securityContext"]["runAsNonRoot"] is True, d["metadata"]["name"]


def test_only_the_migrate_job_holds_the_owner_credentials_and_only_postgres_its_own():
    holders = {
        (d["kind"], d["metadata"]["name"]): secret
        for _, d in DOCUMENTS
        if d["kind"] in {"Deployment", "Job", "StatefulSet"}
        for c in _pod(d)["containers"] + _pod(d).get("initContainers", [])
        for ref in c.get("envFrom", [])
        if (secret := ref.get("secretRef", {}).get("name"))
        in {"commission-owner", "postgres-secrets"}
    }
    assert holders == {
        ("Job", "migrate"): "commission-owner",
        ("StatefulSet", "postgres"): "postgres-secrets",
    }
    app = _get("Secret", "commission-secrets")["stringData"]
    assert "DATABASE_OWNER_URL" not in app
    assert app["DATABASE_URL"].startswith("postgres://commission_app:")


def test_every_variable_given_to_the_app_is_one_the_settings_read():
    settings_source = "\n".join(p.read_text() for p in (ROOT / "config" / "settings").glob("*.py"))
    read = set(re.findall(r"""env(?:\.\w+)?\(\s*["']([A-Z][A-Z0-9_]+)["']""", settings_source))
    given = set(_get("ConfigMap", "commission-config")["data"])
    given |= set(_get("Secret", "commission-secrets")["stringData"])
    given |= set(_get("Secret", "commission-owner")["stringData"])
    given -= {"DJANGO_SETTINGS_MODULE"}  # read by Django itself
    assert given - read == set(), "variables no setting reads (misspelt?)"


def test_web_and_workers_mount_the_opinion_signing_key_where_the_settings_look():
    config = _get("ConfigMap", "commission-config")["data"]
    folders = {
        str(Path(config[v]).parent)
        for v in ("OPINION_SIGNING_KEY_FILE", "OPINION_SIGNING_CERT_FILE")
    }
    assert len(folders) == 1
    keys = set(_get("Secret", "opinion-signing")["stringData"])
    assert {
        Path(config[v]).name for v in ("OPINION_SIGNING_KEY_FILE", "OPINION_SIGNING_CERT_FILE")
    } == keys
    for name in ("web", "worker"):
        pod = _pod(_get("Deployment", name))
        volumes = {v["name"]: v for v in pod["volumes"]}
        (mount,) = [m for m in pod["containers"][0]["volumeMounts"] if m["mountPath"] in folders]
        assert volumes[mount["name"]]["secret"]["secretName"] == "opinion-signing", name
        assert mount["readOnly"] is True, name
