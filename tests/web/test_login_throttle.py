"""Log-in throttling (issue "Trust first", §7): one bucket per address however it is typed, a cap per
address across clients, and counts shared by every worker through Redis."""

from __future__ import annotations

import uuid

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from sentinelle.config import Settings
from sentinelle.web.app import create_app
from sentinelle.web.limits import Throttle, email_key
from tests.conftest import need
from tests.factories import PASSWORD, World
from tests.web.test_pages_and_api import csrf_of

REDIS = "redis://127.0.0.1:6379/0"


def _attempt(client: TestClient, email: str, password: str = "pas-le-bon-mot-de-passe") -> int:
    token = csrf_of(client.get("/connexion").text)
    return client.post("/connexion", data={"email": email, "password": password, "csrf_token": token},
                       follow_redirects=False).status_code


def _app(engine: Engine, settings: Settings, **changes: object):  # type: ignore[no-untyped-def]
    return create_app(engine, settings.model_copy(update={"throttle_namespace": uuid.uuid4().hex, **changes}))


def test_spaces_and_capitals_around_the_address_do_not_open_a_fresh_bucket(
        engine: Engine, settings: Settings, world: World) -> None:
    client = TestClient(_app(engine, settings))
    variants = ["lyon@test.fr", " lyon@test.fr", "LYON@test.fr  ", "\tLyon@Test.fr"]
    codes = [_attempt(client, variants[n % len(variants)]) for n in range(11)]
    assert codes[:10] == [401] * 10 and codes[10] == 429
    # Another address from the same client is not held back.
    assert _attempt(client, "grenoble@test.fr", PASSWORD) == 303


def test_failures_on_one_address_are_capped_across_clients(engine: Engine, settings: Settings, world: World) -> None:
    app = _app(engine, settings, login_rate="100/minute", login_failures_per_address="5/hour")
    codes = [_attempt(TestClient(app, client=(f"10.0.0.{n}", 4000 + n)), "lyon@test.fr") for n in range(7)]
    assert codes == [401] * 5 + [429] * 2
    # Even the right password waits now: the address is under attack.
    assert _attempt(TestClient(app, client=("10.0.1.1", 5000)), "lyon@test.fr", PASSWORD) == 429


def test_successful_log_ins_do_not_use_up_the_failure_cap(engine: Engine, settings: Settings, world: World) -> None:
    app = _app(engine, settings, login_rate="100/minute", login_failures_per_address="3/hour")
    for n in range(6):
        assert _attempt(TestClient(app, client=(f"10.0.2.{n}", 4000)), "lyon@test.fr", PASSWORD) == 303


def test_two_workers_share_one_count_through_redis(engine: Engine, settings: Settings, world: World) -> None:
    need(_redis_up(), f"Redis unreachable at {REDIS}")
    namespace = uuid.uuid4().hex
    shared = settings.model_copy(update={"redis_url": REDIS, "throttle_namespace": namespace})
    worker_a, worker_b = TestClient(create_app(engine, shared)), TestClient(create_app(engine, shared))
    codes = [_attempt(worker_a if n % 2 else worker_b, "paris@test.fr") for n in range(12)]
    assert codes.count(401) == 10 and codes[10:] == [429, 429]
    # In memory, each worker would have counted alone (the multiplied limit the issue found).
    alone = settings.model_copy(update={"throttle_namespace": namespace})
    worker_c, worker_d = TestClient(create_app(engine, alone)), TestClient(create_app(engine, alone))
    assert [_attempt(worker_c if n % 2 else worker_d, "paris@test.fr") for n in range(12)].count(429) == 0


def test_keys_are_bounded_whatever_is_typed() -> None:
    throttle = Throttle()
    huge = "x" * 1_000_000 + "@test.fr"
    assert len(email_key(huge)) == 32 and email_key(" A@b.fr ") == email_key("a@b.fr")
    assert throttle.hit("2/minute", "login", email_key(huge)) and throttle.hit("2/minute", "login", email_key(huge))
    assert not throttle.hit("2/minute", "login", email_key(huge))


def _redis_up() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS, socket_timeout=2).ping())
    except Exception:  # any failure means "no server here"
        return False
