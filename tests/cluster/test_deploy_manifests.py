"""deploy/ describes the same topology as the local one (bot/cluster): same endpoints, variables, ports and rules.

Docker and Kubernetes are not run here; these tests read the files, so a renamed
variable or port in one place and not the other fails before anyone deploys.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Dict, List, Set

import pytest
import yaml

from bot import project, secrets, services
from bot.cluster import nginx, settings, topology

DEPLOY = project.ROOT / "deploy"
APP_IMAGE = "kundesenter:latest"
SERVER_PORTS = {"rasa": services.Ports().rasa, "actions": services.Ports().actions,
                "backend": services.Ports().backend, "desk": services.Ports().desk}  # fmt: skip
# What the servers read besides deploy/endpoints.yml and the secrets.
DATABASE_VARIABLES = {"TRACKER_DATABASE_URL", "DESK_DATABASE_URL", "BACKEND_DATABASE_URL"}
ADDRESS_VARIABLES = {"ACTION_ENDPOINT_URL", "BACKEND_URL", "DESK_URL", "RASA_URL", "WEBCHAT_SOCKET_URL"}
# What several Rasa servers behind a proxy need (bot/cluster/topology.py sets the same locally).
SCALE_VARIABLES = {"WEBCHAT_MESSAGE_QUEUE", "SANIC_PROXIES_COUNT"}


def endpoint_variables() -> Set[str]:
    return set(re.findall(r"\$\{(\w+)\}", topology.ENDPOINTS.read_text()))


def needed_variables() -> Set[str]:
    return (endpoint_variables() | DATABASE_VARIABLES | ADDRESS_VARIABLES | SCALE_VARIABLES
            | {secrets.variable(name) for name in secrets.NAMES})  # fmt: skip


def compose() -> Dict[str, Any]:
    return yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())


def k8s_objects() -> List[Dict[str, Any]]:
    return [o for f in sorted((DEPLOY / "k8s").glob("*.yml")) for o in yaml.safe_load_all(f.read_text()) if o]


def k8s(kind: str, name: str) -> Dict[str, Any]:
    return next(o for o in k8s_objects() if o["kind"] == kind and o["metadata"]["name"] == name)


def container(deployment: Dict[str, Any]) -> Dict[str, Any]:
    (only,) = deployment["spec"]["template"]["spec"]["containers"]
    return only


@pytest.mark.parametrize("path", sorted(DEPLOY.rglob("*.yml")), ids=lambda p: str(p.relative_to(DEPLOY)))
def test_every_deploy_file_is_valid_yaml(path: Path):
    assert [document for document in yaml.safe_load_all(path.read_text()) if document]


def test_rasa_reads_the_endpoints_as_postgresql_trackers_and_redis_locks(monkeypatch):
    from rasa.core.utils import read_endpoints_from_path

    for variable in endpoint_variables():
        monkeypatch.setenv(variable, "5432" if variable.endswith("_PORT") or variable.endswith("_DB") else "x")
    endpoints = read_endpoints_from_path(topology.ENDPOINTS)
    assert endpoints.tracker_store.type == "bot.cluster.tracker_store.ResilientSQLTrackerStore"
    assert endpoints.tracker_store.kwargs["dialect"] == "postgresql"
    assert endpoints.lock_store.type == "redis"


def test_compose_gives_every_app_server_the_same_image_and_every_variable():
    services_ = compose()["services"]
    for name in ("rasa", "actions", "backend", "desk"):
        assert services_[name]["image"] == APP_IMAGE
        assert needed_variables() <= set(services_[name]["environment"]), name
    assert services_["rasa"]["deploy"]["replicas"] == settings.load().rasa_processes
    assert str(topology.ENDPOINTS.relative_to(project.ROOT)) in " ".join(services_["rasa"]["command"])


def test_kubernetes_gives_every_app_server_the_same_image_and_every_variable():
    config = set(k8s("ConfigMap", "kundesenter-config")["data"])
    secret_keys = set(re.findall(r"--from-literal=(\w+)=", (DEPLOY / "k8s" / "config.yml").read_text()))
    assert not config & secret_keys  # a secret is never a plain ConfigMap value
    assert needed_variables() <= config | secret_keys
    for name in ("rasa", "actions", "backend", "desk"):
        app = container(k8s("Deployment", name))
        assert app["image"] == APP_IMAGE
        assert {source.get("configMapRef", source.get("secretRef"))["name"] for source in app["envFrom"]} == {
            "kundesenter-config", "kundesenter-secrets"}
        assert app["readinessProbe"]["httpGet"]["path"] in ("/", "/health")
    assert k8s("Deployment", "rasa")["spec"]["replicas"] == settings.load().rasa_processes


def test_ports_are_the_local_servers_ports_everywhere():
    config = k8s("ConfigMap", "kundesenter-config")["data"]
    environment = compose()["services"]["rasa"]["environment"]
    for name, port in SERVER_PORTS.items():
        assert container(k8s("Deployment", name))["ports"][0]["containerPort"] == port
        assert k8s("Service", name)["spec"]["ports"][0]["port"] == port
    for variable, name in (("ACTION_ENDPOINT_URL", "actions"), ("BACKEND_URL", "backend"), ("DESK_URL", "desk")):
        assert f":{SERVER_PORTS[name]}" in config[variable] and f":{SERVER_PORTS[name]}" in environment[variable]


def test_postgresql_is_the_version_debian_gives_the_local_topology():
    major = compose()["services"]["postgres"]["image"].split(":")[1]
    assert container(k8s("StatefulSet", "postgres"))["image"] == f"postgres:{major}"
    assert major == "15"  # Debian 12's postgresql (scripts/cluster-packages.txt)


def test_nginx_retries_and_stickiness_are_the_local_rules(tmp_path):
    local = nginx.write_config(tmp_path, 8080, [5005, 5006], settings.load().nginx).read_text()
    retry = re.search(r"proxy_next_upstream (error[^;]*non_idempotent);", local)[1]
    tries = re.search(r"proxy_next_upstream_tries (\d+);", local)[1]
    compose_conf = (DEPLOY / "nginx.conf").read_text()
    assert f"proxy_next_upstream {retry};" in compose_conf and f"proxy_next_upstream_tries {tries};" in compose_conf
    assert "hash $remote_addr consistent;" in local and "hash $remote_addr consistent;" in compose_conf
    annotations = k8s("Ingress", "kundesenter")["metadata"]["annotations"]
    assert annotations["nginx.ingress.kubernetes.io/proxy-next-upstream"] == retry
    assert annotations["nginx.ingress.kubernetes.io/proxy-next-upstream-tries"] == tries
    assert annotations["nginx.ingress.kubernetes.io/upstream-hash-by"] == "$remote_addr"


def _module_and_flags(command: List[str]) -> List[str]:
    """What must not drift between a local command line and a container's: the module run and the flags given."""
    words = " ".join(command).split()
    module = words[words.index("-m") + 1]
    return [module, *sorted(word for word in words if word.startswith("--") and word not in ("--interface",))]


@pytest.mark.parametrize("server", ["rasa", "actions"])
def test_containers_run_the_servers_as_the_local_commands_do(server, tmp_path):
    running = services.Services(services.Ports(), tmp_path / "t.db", "sqlite://", "sqlite://",
                                env={secrets.variable(secrets.RASA_TOKEN): "token"})  # fmt: skip
    local = services.commands(running, Path("m"))
    expected = _module_and_flags(local[server])
    in_compose = compose()["services"][server]["command"]
    app = container(k8s("Deployment", server))
    in_k8s = [*app.get("command", []), *app.get("args", [])]
    assert _module_and_flags(in_compose) == expected
    assert _module_and_flags(in_k8s) == expected


# A value that must never be on a command line: any user of the machine (or container) reads /proc/<pid>/cmdline.
SECRET_VARIABLE = re.compile(r"(TOKEN|SECRET|PASSWORD|DATABASE_URL|MESSAGE_QUEUE)$")


def command_lines() -> Dict[str, List[str]]:
    """Every command a container runs: compose's commands and health checks, Kubernetes' commands, args and probes."""
    lines = {}
    for name, service in compose()["services"].items():
        lines[f"compose {name}"] = service.get("command", [])
        lines[f"compose {name} healthcheck"] = service.get("healthcheck", {}).get("test", [])
    for workload in k8s_objects():
        for app in workload.get("spec", {}).get("template", {}).get("spec", {}).get("containers", []):
            probe = app.get("readinessProbe", {}).get("exec", {}).get("command", [])
            lines[f"k8s {app['name']}"] = [*app.get("command", []), *app.get("args", []), *probe]
    return lines


def expanded_on_the_command_line(command: List[str]) -> List[str]:
    """The variables a shell would put into the arguments of the commands it runs.

    Not the ones it passes otherwise: a here-document's (stdin) or a `NAME="$VALUE" command` prefix's (environment).
    """
    words = " ".join(command if isinstance(command, list) else [command]).split("<<")[0]
    on_the_line = re.sub(r'(^|[;|&]|\s)\w+=("[^"]*"|\S*)(?=\s)', r"\1", words)
    return re.findall(r"\$\$?\{?(\w+)", on_the_line)


def test_no_container_gets_a_secret_on_its_command_line():
    for where, command in command_lines().items():
        assert not [v for v in expanded_on_the_command_line(command) if SECRET_VARIABLE.search(v)], where


def test_the_action_server_listens_on_the_container_network_and_rasa_sends_its_token():
    for command in (compose()["services"]["actions"]["command"], container(k8s("Deployment", "actions"))["command"]):
        assert command[command.index("--host") + 1] == "0.0.0.0"
    action_endpoint = yaml.safe_load(topology.ENDPOINTS.read_text())["action_endpoint"]
    assert action_endpoint["headers"]["Authorization"] == f"Bearer ${{{secrets.variable(secrets.ACTION_SERVER_TOKEN)}}}"


def test_the_proxies_in_front_of_the_desk_forward_the_client_and_the_desk_trusts_only_them(monkeypatch):
    """The desk's log-in limit counts per client address: behind nginx or an ingress it must see the client's."""
    from ipaddress import ip_address

    from bot.desk import settings as desk_settings

    desk_server = (DEPLOY / "nginx.conf").read_text().split("listen 8090;")[1]
    for header in ("Host $http_host", "X-Forwarded-For $proxy_add_x_forwarded_for", "X-Real-IP $remote_addr",
                   "X-Forwarded-Proto $scheme"):  # fmt: skip
        assert f"proxy_set_header {header};" in desk_server
    assert desk_settings.load().trusted_proxies == ()  # as shipped: the desk is reached directly
    nginx_address = ip_address(compose()["services"]["nginx"]["networks"]["default"]["ipv4_address"])
    compose_desk = compose()["services"]["desk"]["environment"]
    kubernetes = k8s("ConfigMap", "kundesenter-config")["data"]
    for environment, proxy in ((compose_desk, nginx_address), (kubernetes, None)):
        monkeypatch.setenv(desk_settings.TRUSTED_PROXIES_VARIABLE, environment[desk_settings.TRUSTED_PROXIES_VARIABLE])
        trusted = desk_settings.load().trusted_proxies  # the environment replaces desk.yml's list
        assert trusted and (proxy is None or [network.num_addresses for network in trusted if proxy in network] == [1])
