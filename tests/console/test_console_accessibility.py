"""Every page's form fields are labelled and every action is reachable from the keyboard: fields inside a
<label> (or named by ``aria-label``/``for``), actions as links or buttons (nothing clickable that Tab skips)."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from channel_manager.domain.access import Role
from channel_manager.service import console_users
from sync._api import serving
from sync.conftest import World

from .test_console_http import PASSWORD, session_cookie, sign_in

pytestmark = pytest.mark.anyio


class FieldAudit(HTMLParser):
    """Collects the fields without a label and the elements Tab cannot reach."""

    def __init__(self) -> None:
        super().__init__()
        self.label_depth = 0
        self.labelled_ids: set[str] = set()
        self.fields: list[tuple[str, dict[str, str | None], bool]] = []  # (tag, attributes, inside a label)
        self.untabbable: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "label":
            self.label_depth += 1
            if attributes.get("for"):
                self.labelled_ids.add(str(attributes["for"]))
        if tag in ("input", "select", "textarea") and attributes.get("type") not in ("hidden", "submit"):
            self.fields.append((tag, attributes, self.label_depth > 0))
        if attributes.get("tabindex") == "-1" or (tag not in ("a", "button") and "onclick" in attributes):
            self.untabbable.append(f"<{tag} {attributes}>")
        if tag == "a" and "href" not in attributes and "name" not in attributes and "id" not in attributes:
            self.untabbable.append(f"<a {attributes}> without href")

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self.label_depth -= 1

    def unlabelled(self) -> list[str]:
        return [
            f"<{tag} name={attributes.get('name')!r}>"
            for tag, attributes, inside in self.fields
            if not inside and not attributes.get("aria-label") and attributes.get("id") not in self.labelled_ids
        ]


async def test_every_field_is_labelled_and_every_action_is_a_link_or_button(world: World) -> None:
    po = world.walmart_order([{"sku": "MUG-1", "quantity": 2}])
    await world.take_in()
    await world.settle()
    console_users.create_user(world.database, "ada", Role.ADMIN, PASSWORD, actor="test")
    async with serving(world) as api:
        sign_in_page = await api.http.get("/console/sign-in")
        ada = session_cookie(await sign_in(api, "ada"))
        pages = {"/console/sign-in": sign_in_page.text}
        for path in (
            "/console/orders", f"/console/orders/{po}?store={world.store_id}", "/console/returns",
            "/console/stores", "/console/stores/new", f"/console/stores/{world.store_id}", "/console/jobs",
            "/console/health", "/console/users", "/console/tokens",
        ):  # fmt: skip
            response = await api.http.get(path, headers=ada)
            assert response.status_code == 200, path
            pages[path] = response.text
    with_forms = {
        "/console/sign-in", "/console/orders", f"/console/orders/{po}?store={world.store_id}", "/console/stores/new",
        f"/console/stores/{world.store_id}", "/console/users", "/console/tokens",
    }  # fmt: skip
    for path, html in pages.items():
        audit = FieldAudit()
        audit.feed(html)
        if path in with_forms:
            assert audit.fields, f"{path}: its form is missing"
        assert audit.unlabelled() == [], f"{path}: fields without a label"
        assert audit.untabbable == [], f"{path}: not reachable by Tab"
