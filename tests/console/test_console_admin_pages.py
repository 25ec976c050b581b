"""The admins' pages over real HTTP: Users (create, change role, reset password, remove) and API tokens
(create, list, revoke), with CSRF, roles and the audit trail."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from urllib.parse import unquote

import pytest

from channel_manager.domain.access import Role
from channel_manager.service import audit, console_users
from channel_manager.service import stores as store_service
from sync._api import serving
from sync.conftest import CLIENT_ID, CLIENT_SECRET, World

from .test_console_http import PASSWORD, csrf_of, session_cookie, sign_in

pytestmark = pytest.mark.anyio
NEW_PASSWORD = "a brand new password 2"


def flash(response_headers: str) -> str:
    """The one-time message a redirect carries (its cookie, decoded)."""
    found = re.search(r"cm_flash=([^;]+)", response_headers)
    return unquote(found.group(1)) if found else ""


async def test_users_page_creates_changes_resets_and_removes(world: World) -> None:
    console_users.create_user(world.database, "ada", Role.ADMIN, PASSWORD, actor="test")
    console_users.create_user(world.database, "olga", Role.OPERATOR, PASSWORD, actor="test")
    async with serving(world) as api:
        olga = session_cookie(await sign_in(api, "olga"))
        assert (await api.http.get("/console/users", headers=olga)).status_code == 403  # admins only

        ada = session_cookie(await sign_in(api, "ada"))
        listing = await api.http.get("/console/users", headers=ada)
        assert listing.status_code == 200 and 'data-user="olga"' in listing.text
        assert 'href="/console/users"' in listing.text  # in the admin's navigation
        csrf = csrf_of(listing.text)

        form = {"name": "vic", "role": "viewer", "password": PASSWORD, "password_again": PASSWORD}
        forged = await api.http.post("/console/users", data=form, headers=ada)  # no CSRF token
        assert forged.status_code == 403
        created = await api.http.post("/console/users", data={**form, "csrf_token": csrf}, headers=ada)
        assert created.status_code == 303 and "created" in flash(created.headers["set-cookie"])
        short = {**form, "name": "bob", "password": "short", "password_again": "short", "csrf_token": csrf}
        refused = await api.http.post("/console/users", data=short, headers=ada)
        assert "not created" in flash(refused.headers["set-cookie"]) and "at least" in flash(
            refused.headers["set-cookie"]
        )
        assert {u.name: u.role for u in console_users.list_users(world.database)} == {
            "ada": Role.ADMIN, "olga": Role.OPERATOR, "vic": Role.VIEWER,
        }  # fmt: skip

        promoted = await api.http.post(
            "/console/users/vic/role", data={"role": "operator", "csrf_token": csrf}, headers=ada
        )
        assert promoted.status_code == 303 and "now operator" in flash(promoted.headers["set-cookie"])
        self_demotion = await api.http.post(
            "/console/users/ada/role", data={"role": "viewer", "csrf_token": csrf}, headers=ada
        )
        assert "cannot change your own role" in flash(self_demotion.headers["set-cookie"])

        vic = session_cookie(await sign_in(api, "vic"))
        assert (await api.http.get("/console/orders", headers=vic)).status_code == 200
        reset = {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD, "csrf_token": csrf}
        mismatch = {**reset, "password_again": "something else entirely"}
        differs = await api.http.post("/console/users/vic/password", data=mismatch, headers=ada)
        assert "passwords differ" in flash(differs.headers["set-cookie"])
        assert (await api.http.post("/console/users/vic/password", data=reset, headers=ada)).status_code == 303
        assert (await api.http.get("/console/orders", headers=vic)).status_code == 303  # her session ended
        assert (await sign_in(api, "vic")).status_code == 401
        assert (await sign_in(api, "vic", NEW_PASSWORD)).status_code == 303

        confirm = await api.http.post("/console/users/olga/remove", data={"csrf_token": csrf}, headers=ada)
        assert confirm.status_code == 200 and "Remove olga" in confirm.text  # asks first
        assert "olga" in [u.name for u in console_users.list_users(world.database)]
        removed = await api.http.post(
            "/console/users/olga/remove", data={"csrf_token": csrf, "step": "send"}, headers=ada
        )
        assert removed.status_code == 303 and "removed" in flash(removed.headers["set-cookie"])
        assert (await api.http.get("/console/orders", headers=olga)).status_code == 303
        gone = await api.http.post("/console/users/olga/remove", data={"csrf_token": csrf, "step": "send"}, headers=ada)
        assert "nothing changed" in flash(gone.headers["set-cookie"])
    assert [u.name for u in console_users.list_users(world.database)] == ["ada", "vic"]
    trail = [(e.actor, e.action, e.target) for e in audit.recent(world.database) if e.actor == "console:ada"]
    assert ("console:ada", "console_user.create", "vic") in trail
    assert ("console:ada", "console_user.role", "vic") in trail
    assert ("console:ada", "console_user.password", "vic") in trail
    assert ("console:ada", "console_user.remove", "olga") in trail
    assert all(
        PASSWORD not in str(e.details) and NEW_PASSWORD not in str(e.details) for e in audit.recent(world.database)
    )


async def test_tokens_page_creates_shows_once_and_revokes(world: World) -> None:
    console_users.create_user(world.database, "ada", Role.ADMIN, PASSWORD, actor="test")
    console_users.create_user(world.database, "olga", Role.OPERATOR, PASSWORD, actor="test")
    async with serving(world) as api:
        olga = session_cookie(await sign_in(api, "olga"))
        assert (await api.http.get("/console/tokens", headers=olga)).status_code == 403
        ada = session_cookie(await sign_in(api, "ada"))
        listing = await api.http.get("/console/tokens", headers=ada)
        csrf = csrf_of(listing.text)
        assert (
            await api.http.post("/console/tokens", data={"name": "prom", "role": "viewer"}, headers=ada)
        ).status_code == 403

        created = await api.http.post(
            "/console/tokens", data={"name": "prom", "role": "viewer", "csrf_token": csrf}, headers=ada
        )
        assert created.status_code == 200 and "set-cookie" not in created.headers
        token = re.search(
            r'id="new-token-value" value="([^"]+)"|value="([^"]+)"[^>]*id="new-token-value"', created.text
        )
        assert token, created.text
        plaintext = token.group(1) or token.group(2)
        bearer = {"Authorization": f"Bearer {plaintext}"}
        assert (await api.http.get("/api/orders", headers=bearer)).status_code == 200
        again = await api.http.get("/console/tokens", headers=ada)
        assert 'data-token="prom"' in again.text and plaintext not in again.text  # shown that once only

        confirm = await api.http.post("/console/tokens/prom/revoke", data={"csrf_token": csrf}, headers=ada)
        assert confirm.status_code == 200 and "Revoke prom" in confirm.text  # asks first
        assert (await api.http.get("/api/orders", headers=bearer)).status_code == 200
        revoked = await api.http.post(
            "/console/tokens/prom/revoke", data={"csrf_token": csrf, "step": "send"}, headers=ada
        )
        assert revoked.status_code == 303 and "revoked" in flash(revoked.headers["set-cookie"])
        assert (await api.http.get("/api/orders", headers=bearer)).status_code == 401
        bad = await api.http.post(
            "/console/tokens", data={"name": " ", "role": "viewer", "csrf_token": csrf}, headers=ada
        )
        assert "not created" in flash(bad.headers["set-cookie"])
    trail = [(e.action, e.target) for e in audit.recent(world.database) if e.actor == "console:ada"]
    assert ("token.create", "prom") in trail and ("token.revoke", "prom") in trail
    assert all(plaintext not in str(e.details) for e in audit.recent(world.database))


async def test_store_page_subscribes_and_unsubscribes_walmart_events(world: World) -> None:
    console_users.create_user(world.database, "ada", Role.ADMIN, PASSWORD, actor="test")
    walmart = world.servers.walmart

    def subscriptions() -> list[tuple[str, str]]:
        listed = walmart.list_subscriptions(walmart.seller("seller-1"))["events"]
        return sorted((s["eventType"], s["eventUrl"]) for s in listed)

    async with serving(world) as api:
        ada = session_cookie(await sign_in(api, "ada"))
        store_page = await api.http.get(f"/console/stores/{world.store_id}", headers=ada)
        assert 'id="subscribe-form"' in store_page.text and 'id="unsubscribe-form"' in store_page.text
        csrf = csrf_of(store_page.text)
        url = f"/console/stores/{world.store_id}"
        form = {"public_url": api.webhook_url, "csrf_token": csrf}
        assert store_service.find_store(world.database, str(world.store_id)).walmart.webhook_secret is None
        dead = await api.http.post(f"{url}/subscribe", data={**form, "public_url": "http://127.0.0.1:9"}, headers=ada)
        assert "could not deliver a test notification" in flash(dead.headers["set-cookie"])
        assert subscriptions() == []
        # A store without a Walmart webhook secret got one (stored encrypted) before the test notification.
        assert store_service.find_store(world.database, str(world.store_id)).walmart.webhook_secret is not None

        done = await api.http.post(f"{url}/subscribe", data=form, headers=ada)
        assert done.status_code == 303 and "test notification reached" in flash(done.headers["set-cookie"])
        hook = f"{api.webhook_url}/webhooks/walmart/{world.store_id}"
        assert subscriptions() == [(e, hook) for e in ("INTENT_TO_CANCEL", "PO_CREATED", "PO_LINE_AUTOCANCELLED")]

        gone = await api.http.post(f"{url}/unsubscribe", data={"csrf_token": csrf}, headers=ada)
        assert "Deleted the Walmart subscriptions" in flash(gone.headers["set-cookie"])
        assert subscriptions() == []
        none = await api.http.post(f"{url}/unsubscribe", data={"csrf_token": csrf}, headers=ada)
        assert "no Walmart subscriptions" in flash(none.headers["set-cookie"])


async def test_jobs_page_lists_by_state_and_retries_a_failed_job(world: World) -> None:
    console_users.create_user(world.database, "olga", Role.OPERATOR, PASSWORD, actor="test")
    console_users.create_user(world.database, "vic", Role.VIEWER, PASSWORD, actor="test")
    now = datetime.now(UTC)
    with world.database.unit_of_work() as uow:
        uow.jobs.enqueue("noop", store_id=world.store_id, dedupe_key="console-jobs-page", run_after=now, now=now)
        [job] = uow.jobs.claim("test-worker", now=now, lease_seconds=30)
        assert uow.jobs.fail(job.id, "test-worker", "Walmart: 400 Bad Request. The test made it fail.", now=now)
        uow.commit()
    async with serving(world) as api:
        vic = session_cookie(await sign_in(api, "vic"))
        failed = await api.http.get("/console/jobs", params={"state": "failed"}, headers=vic)
        assert failed.status_code == 200 and f'data-job="{job.id}"' in failed.text
        assert "The test made it fail." in failed.text and f"Retry job {job.id}" not in failed.text  # viewer
        done = await api.http.get("/console/jobs", params={"state": "done"}, headers=vic)
        assert f'data-job="{job.id}"' not in done.text

        olga = session_cookie(await sign_in(api, "olga"))
        page = await api.http.get("/console/jobs", params={"state": "failed"}, headers=olga)
        assert f"Retry job {job.id}" in page.text
        back = "/console/jobs?state=failed"
        retried = await api.http.post(
            f"/console/jobs/{job.id}/retry", data={"csrf_token": csrf_of(page.text), "next": back}, headers=olga
        )
        assert retried.status_code == 303 and retried.headers["location"] == back
        assert "runs again now" in flash(retried.headers["set-cookie"])
        away = await api.http.post(
            f"/console/jobs/{job.id}/retry",
            data={"csrf_token": csrf_of(page.text), "next": "https://elsewhere.example"}, headers=olga,
        )  # fmt: skip
        assert away.headers["location"] == "/console/health"  # never a redirect off the console
    trail = [(e.actor, e.action) for e in audit.recent(world.database)]
    assert ("console:olga", "job.retry") in trail


async def test_store_page_changes_name_and_credentials_checked_live(world: World) -> None:
    console_users.create_user(world.database, "ada", Role.ADMIN, PASSWORD, actor="test")
    async with serving(world) as api:
        ada = session_cookie(await sign_in(api, "ada"))
        url = f"/console/stores/{world.store_id}"
        store_page = await api.http.get(url, headers=ada)
        assert 'id="connection-form"' in store_page.text and CLIENT_SECRET not in store_page.text
        base = {
            "csrf_token": csrf_of(store_page.text), "name": "Renamed store",
            "walmart_base_url": world.store.walmart.base_url, "walmart_client_id": CLIENT_ID,
            "commerce_base_url": world.store.commerce.base_url,
            "commerce_store_code": "default",
        }  # fmt: skip
        wrong = await api.http.post(
            f"{url}/connection", data={**base, "walmart_client_secret": "not the secret"}, headers=ada
        )
        message = flash(wrong.headers["set-cookie"])
        assert "Connection not changed" in message and "Walmart" in message and "not the secret" not in message
        other_id = await api.http.post(
            f"{url}/connection", data={**base, "walmart_client_id": "someone-else"}, headers=ada
        )
        assert "needs its client secret" in flash(other_id.headers["set-cookie"])
        assert store_service.find_store(world.database, str(world.store_id)).name == world.store.name  # nothing saved

        renamed = await api.http.post(f"{url}/connection", data=base, headers=ada)  # secrets blank: kept
        assert renamed.status_code == 303 and "saved" in flash(renamed.headers["set-cookie"])
        again = await api.http.post(
            f"{url}/connection", data={**base, "walmart_client_secret": CLIENT_SECRET}, headers=ada
        )
        assert "saved" in flash(again.headers["set-cookie"])
    saved = store_service.find_store(world.database, str(world.store_id))
    assert saved.name == "Renamed store" and saved.walmart.client_secret.reveal() == CLIENT_SECRET
    trail = [(e.actor, e.action) for e in audit.recent(world.database)]
    assert trail.count(("console:ada", "store.update")) == 2


async def test_store_page_sets_the_commerce_webhook_keys_and_oauth_credentials(world: World) -> None:
    """Every connection detail `stores set` changes is on the store page: OAuth 1.0a credentials (checked live
    with Commerce), the Adobe Commerce webhook public key (a PEM that is not one is refused, naming it) and the
    companion module's event secret; blank fields keep what is saved."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    pem = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048)
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    console_users.create_user(world.database, "ada", Role.ADMIN, PASSWORD, actor="test")
    async with serving(world) as api:
        ada = session_cookie(await sign_in(api, "ada"))
        url = f"/console/stores/{world.store_id}"
        store_page = await api.http.get(url, headers=ada)
        assert (
            'name="commerce_consumer_key"' in store_page.text
            and 'name="commerce_webhook_public_key"' in store_page.text
        )
        base = {"csrf_token": csrf_of(store_page.text), "name": world.store.name}
        bad = await api.http.post(
            f"{url}/connection", data={**base, "commerce_webhook_public_key": "nope"}, headers=ada
        )
        assert "not a PEM public key" in flash(bad.headers["set-cookie"])
        oauth = await api.http.post(
            f"{url}/connection",
            data={**base, "commerce_consumer_key": "ck", "commerce_consumer_secret": "wrong-secret",
                  "commerce_access_token_secret": "wrong-too"},
            headers=ada,
        )  # fmt: skip
        message = flash(oauth.headers["set-cookie"])
        assert "Connection not changed" in message and "Commerce" in message and "wrong-secret" not in message
        keys = await api.http.post(
            f"{url}/connection",
            data={**base, "commerce_webhook_public_key": pem, "commerce_module_events_secret": "module-secret-1"},
            headers=ada,
        )
        assert "saved" in flash(keys.headers["set-cookie"])
    saved = store_service.find_store(world.database, str(world.store_id))
    assert saved.commerce.webhook_public_key == pem.strip() or saved.commerce.webhook_public_key == pem
    assert saved.commerce.module_events_secret is not None
    assert saved.commerce.module_events_secret.reveal() == "module-secret-1"
    assert saved.commerce.consumer_key is None  # the refused OAuth change saved nothing
