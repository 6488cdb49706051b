"""Headers, host names, rate limits, profile names and error details a client can see."""

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.middleware import LocalHosts, RateLimit
from api.settings import Settings


def run_async(coro):
    """Run ``coro`` to the end in a thread of its own: a browser test may hold this one's loop."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


def test_every_answer_has_the_security_headers(client):
    for path in ("/", "/scores", "/maps/patrol", "/exports/patrol.csv", "/health", "/nope"):
        response = client.get(path)
        headers = response.headers
        assert headers["x-content-type-options"] == "nosniff", path
        assert headers["x-frame-options"] == "DENY", path
        assert headers["referrer-policy"] == "no-referrer", path
        csp = headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp, path


def test_data_is_never_stored_by_a_cache_but_etag_still_saves_the_body(client):
    for path in ("/scores", "/exports/patrol.csv", "/maps/patrol", "/rankings"):
        first = client.get(path)
        assert first.headers["cache-control"] == "no-store", path
        again = client.get(path, headers={"If-None-Match": first.headers["etag"]})
        assert again.status_code == 304 and again.headers["cache-control"] == "no-store", path


def asgi_get(app, host: str, server=("127.0.0.1", 8000), headers=()) -> tuple[int, dict]:
    """One GET through ``app`` as an ASGI server would send it; (status, headers)."""
    scope = {
        "type": "http",
        "method": "GET",
        "path": "/health",
        "raw_path": b"/health",
        "query_string": b"",
        "headers": [(b"host", host.encode()), *headers],
        "server": server,
        "client": ("127.0.0.1", 50000),
        "scheme": "http",
        "http_version": "1.1",
    }
    sent = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    run_async(app(scope, receive, send))
    start = sent[0]
    return start["status"], {k.decode(): v.decode() for k, v in start["headers"]}


async def ok_app(scope, receive, send):
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"ok"})


def test_on_loopback_only_local_host_names_are_answered():
    guard = LocalHosts(
        ok_app, allowed=frozenset({"localhost", "127.0.0.1", "[::1]", "riskmap.lan"})
    )
    for host in ("localhost:8000", "127.0.0.1:8000", "[::1]:8000", "localhost", "riskmap.lan"):
        assert asgi_get(guard, host)[0] == 200, host
    for host in ("evil.example:8000", "attacker.test", "localhost.evil.example", ""):
        assert asgi_get(guard, host)[0] == 400, host  # DNS rebinding
    assert asgi_get(guard, "riskmap.example.org", server=("10.0.0.5", 8000))[0] == 200


def test_the_app_refuses_a_rebound_host_on_loopback(scored_workspace):
    app = create_app(Settings(workspace=scored_workspace.root, allowed_hosts="riskmap.lan"))
    assert asgi_get(app, "evil.example:8000")[0] == 400
    assert asgi_get(app, "riskmap.lan:8000")[0] == 200
    assert asgi_get(app, "localhost:8000")[0] == 200


def test_each_key_has_its_own_rate_limit_with_retry_after():
    limit = RateLimit(ok_app, per_minute=3)
    alice, bob = [(b"x-api-key", b"rmk_alice")], [(b"x-api-key", b"rmk_bob")]
    # /health is never counted; use another path
    statuses = [asgi_get_path(limit, "/scores", alice)[0] for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    status, headers = asgi_get_path(limit, "/scores", alice)
    assert status == 429 and int(headers["retry-after"]) >= 1
    assert headers["content-type"] == "application/problem+json"
    assert asgi_get_path(limit, "/scores", bob)[0] == 200
    assert limit.take("key:x", 0.0) == 0 and limit.take("key:x", 60.0) == 0  # refills


def asgi_get_path(app, path, headers):
    async def run():
        sent = []
        scope = {
            "type": "http",
            "method": "GET",
            "path": path,
            "query_string": b"",
            "headers": headers,
            "client": ("127.0.0.1", 1),
        }

        async def receive():
            return {"type": "http.request", "body": b""}

        async def send(message):
            sent.append(message)

        await app(scope, receive, send)
        return sent[0]["status"], {k.decode(): v.decode() for k, v in sent[0]["headers"]}

    return run_async(run())


def test_the_rate_limit_is_set_by_settings(scored_workspace):
    app = create_app(Settings(workspace=scored_workspace.root, rate_limit_per_minute=2))
    with TestClient(app) as client:
        statuses = [client.get("/profiles").status_code for _ in range(4)]
        assert statuses[:2] == [200, 200] and statuses[2:] == [429, 429]
        assert client.get("/health").status_code == 200


@pytest.mark.parametrize("name", ["secret.yaml", "../secret", "pyproject.toml", "x.yml"])
def test_a_profile_is_named_never_a_path(client, tmp_path, monkeypatch, name):
    yaml = "name: {}\nrationale: LEAKED-MARKER\nweights: {{crossing_access: 1}}\n"
    (tmp_path / "secret.yaml").write_text(yaml.format("secret"))
    (tmp_path / "x.yml").write_text(yaml.format("x"))
    monkeypatch.chdir(tmp_path)
    for path in (f"/maps/{name}", f"/scores?profile={name}", f"/exports/{name}.csv"):
        response = client.get(path)
        assert response.status_code in (404, 422), (path, response.text[:200])
        assert "LEAKED" not in response.text and "crossing_access" not in response.text


def test_error_details_name_no_server_path_and_no_cli_hint(client, scored_workspace):
    root = str(scored_workspace.root)
    for path in ("/runs/abcdef0123", "/layers/zzz", "/exports/patrol.csv?run=abcdef0123"):
        response = client.get(path)
        assert response.status_code in (404, 422), path
        detail = response.json()["detail"]
        assert root not in detail and "/tmp" not in detail and "riskmap " not in detail, detail


def test_a_missing_workspace_is_503_without_its_path(tmp_path):
    app = create_app(Settings(workspace=tmp_path / "srv" / "nowhere"))
    with TestClient(app) as client:
        response = client.get("/scores")
    assert response.status_code == 503
    detail = response.json()["detail"]
    assert "nowhere" not in detail and str(tmp_path) not in detail and "riskmap" not in detail
    assert "workspace" in detail


def test_a_key_runs_only_two_computations_at_once():
    started, release = asyncio.Event(), asyncio.Event()

    async def slow_app(scope, receive, send):
        started.set()
        await release.wait()
        await ok_app(scope, receive, send)

    limit = RateLimit(slow_app, per_minute=1000)
    key = [(b"x-api-key", b"rmk_alice")]

    async def call(method, path, headers):
        sent = []
        scope = {"type": "http", "method": method, "path": path, "query_string": b""}
        scope |= {"headers": headers, "client": ("127.0.0.1", 1)}

        async def receive():
            return {"type": "http.request", "body": b""}

        async def send(message):
            sent.append(message)

        await limit(scope, receive, send)
        return sent[0]["status"]

    async def main():
        running = [asyncio.create_task(call("POST", "/scores", key)) for _ in range(2)]
        await started.wait()
        await asyncio.sleep(0.01)
        third = await call("GET", "/plans/patrol", key)
        other = asyncio.create_task(call("POST", "/scores", [(b"x-api-key", b"rmk_bob")]))
        await asyncio.sleep(0.01)
        release.set()
        return third, [await t for t in running], await other, await call("POST", "/scores", key)

    third, firsts, other, later = run_async(main())
    assert third == 429 and firsts == [200, 200] and other == 200 and later == 200
