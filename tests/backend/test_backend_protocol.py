"""The service's contract: JSON errors, size limits, and an OpenAPI description that covers every route."""

import uuid

import requests

from backend.app import create_app


def test_health(api):
    assert api.get("/health").json() == {"status": "ok"}


def test_malformed_json_is_a_bad_request(api):
    for body in (b'{"name": ', b"[1, 2]", b"\xff\xfe"):
        response = requests.post(
            f"{api.url}/v1/address-changes", data=body, headers={"Idempotency-Key": uuid.uuid4().hex}, timeout=10
        )
        assert response.status_code == 400 and response.json()["error"] == "bad_request"


def test_a_body_over_64_kb_is_refused(api):
    body = b'{"name": "' + b"x" * (1024 * 1024) + b'"}'
    response = requests.post(
        f"{api.url}/v1/address-changes", data=body, headers={"Idempotency-Key": uuid.uuid4().hex}, timeout=10
    )
    assert response.status_code == 413 and response.json()["error"] == "payload_too_large"


def test_unknown_routes_and_methods_answer_in_json(api):
    missing = api.get("/v1/nothing-here")
    assert missing.status_code == 404 and set(missing.json()) == {"error", "message"}
    wrong_method = requests.delete(f"{api.url}/v1/shipments/CP710101405NO", timeout=10)
    assert wrong_method.status_code == 405 and wrong_method.json()["error"] == "method_not_allowed"


def test_openapi_describes_every_route_the_service_has(openapi, tmp_path):
    assert openapi["openapi"].startswith("3.0.") and openapi["info"]["title"] and openapi["info"]["version"]
    app = create_app(f"sqlite:///{tmp_path / 'unused.db'}", tmp_path / "unused.yml")  # not started: no database work
    routes = {
        (route.resource.canonical, route.method.lower()) for route in app.router.routes() if route.method != "HEAD"
    }
    described = {(path, method) for path, item in openapi["paths"].items() for method in item if method != "parameters"}
    assert routes == described


def test_openapi_operations_are_complete_and_every_reference_resolves(openapi):
    for path, item in openapi["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            assert operation["operationId"] and operation["summary"], f"{method} {path}"
            assert any(code.startswith("2") for code in operation["responses"]), f"{method} {path}"
            errors = [code for code in operation["responses"] if code[0] in "45"]
            assert path in ("/health", "/openapi.json") or errors, f"{method} {path} documents no error"
            if method == "post":
                parameters = [p.get("$ref", "") for p in operation.get("parameters", [])]
                assert "#/components/parameters/IdempotencyKey" in parameters, path
    for reference in _references(openapi):
        node = openapi
        for part in reference.removeprefix("#/").split("/"):
            assert part in node, f"unresolved {reference}"
            node = node[part]


def test_a_restart_renews_the_demo_but_keeps_the_orders(start_backend, new_database, execute_sql, address_change):
    database = new_database("restart")
    with start_backend(database) as url:
        created = requests.post(
            f"{url}/v1/address-changes", json=address_change(), headers={"Idempotency-Key": "k"}, timeout=10
        ).json()
    execute_sql(database, "UPDATE events SET time = '2001-01-01 00:00:00'")  # as if the demo had been seeded long ago
    with start_backend(database) as url:
        assert requests.get(f"{url}/v1/address-changes/{created['receipt_number']}", timeout=10).json() == created
        events = requests.get(f"{url}/v1/shipments/CP710101405NO", timeout=10).json()["events"]
        assert not events[-1]["time"].startswith("2001")


def _references(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _references(value)
    elif isinstance(node, list):
        for item in node:
            yield from _references(item)


def test_deeply_nested_json_is_a_bad_request_not_a_crash(api):
    """About 60 KB of brackets used to exhaust the parser's recursion and answer 500."""
    for body in (b'{"name": ' + b"[" * 30000 + b"]" * 30000 + b"}", b'{"a": ' + b'{"b": ' * 40 + b"1" + b"}" * 41):
        response = requests.post(
            f"{api.url}/v1/address-changes", data=body, headers={"Idempotency-Key": uuid.uuid4().hex}, timeout=10
        )
        assert response.status_code == 400, response.text
        assert response.json()["error"] == "bad_request" and "nested" in response.json()["message"]
