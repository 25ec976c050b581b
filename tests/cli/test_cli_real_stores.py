"""`stores add` against real HTTP: it asks Commerce whether the companion module is installed and chooses the
order creation path from the answer; settings a path cannot honour are refused with the reason."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from test_cli import Cli, make_cli  # tests/cli is on sys.path (rootdir-relative test modules)

from channel_manager_sandboxes.commerce import SandboxSettings
from channel_manager_sandboxes.commerce import create_app as create_commerce_app
from channel_manager_sandboxes.serving import BackgroundServer
from channel_manager_sandboxes.walmart import WalmartSandboxSettings
from channel_manager_sandboxes.walmart import create_app as create_walmart_app


@pytest.fixture
def walmart_url() -> Iterator[str]:
    with BackgroundServer(create_walmart_app(WalmartSandboxSettings(rate_limits=False))) as walmart:
        yield walmart.url


def add(cli: Cli, walmart_url: str, commerce_url: str, name: str, *extra: str):  # type: ignore[no-untyped-def]
    return cli(
        "stores", "add", "--name", name, "--walmart-url", walmart_url, "--walmart-client-id", "sandbox-client-id",
        "--walmart-client-secret", "sandbox-client-secret", "--commerce-url", commerce_url,
        "--commerce-token", "sandbox-commerce-token", *extra,
    )  # fmt: skip


@pytest.mark.parametrize("installed", [True, False], ids=["module", "no_module"])
def test_stores_add_detects_the_module_and_chooses_the_creation_path(
    tmp_path: Path, walmart_url: str, installed: bool
) -> None:
    cli = make_cli(tmp_path)
    assert cli("init").returncode == 0
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = tmp_path / "commerce-webhooks.pub.pem"
    pem.write_bytes(
        key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    with BackgroundServer(create_commerce_app(SandboxSettings(module_installed=installed))) as commerce:
        added = add(cli, walmart_url, commerce.url, "Shop", "--commerce-webhook-public-key-file", str(pem))
        assert added.returncode == 0, added.stderr
        if not installed:  # switching to the module route asks Commerce whether the module is there
            to_module = cli("stores", "set", "Shop", "--set", "order_creation_path=module")
            assert to_module.returncode != 0
            assert "Commerce: the Channel Manager module is not installed" in to_module.stderr
    path = "module" if installed else "cart"
    assert f"Channel Manager module: {'found' if installed else 'not found'}" in added.stdout
    assert f"by the {path} path" in added.stdout
    shown = cli("stores", "show", "Shop")
    assert "set (RSA-SHA256 webhooks verified)" in shown.stdout
    as_json = json.loads(cli("stores", "show", "Shop", "--json").stdout)
    assert as_json["settings"]["order_creation_path"] == path
    assert as_json["commerce"]["webhook_public_key_set"] is True

    walmart_numbers = cli("stores", "set", "Shop", "--set", "order_number_source=walmart")
    if installed:
        assert walmart_numbers.returncode == 0, walmart_numbers.stderr
    else:
        assert walmart_numbers.returncode != 0
        assert "order_number_source=walmart needs order_creation_path=module" in walmart_numbers.stderr
        assert "cannot choose the Commerce order's increment id" in walmart_numbers.stderr
    direct = cli(
        "stores", "set", "Shop", "--set", "order_creation_path=direct", "--set", "order_number_source=commerce"
    )
    assert direct.returncode == 0, direct.stderr
    assert "NO stock reservation" in " ".join(cli("stores", "show", "Shop").stdout.split())


def test_a_bad_public_key_file_is_refused(tmp_path: Path) -> None:
    cli = make_cli(tmp_path)
    assert cli("init").returncode == 0
    bad = tmp_path / "not-a-key.pem"
    bad.write_text("hello")
    result = add(cli, "https://x.example", "https://y.example", "S", "--commerce-webhook-public-key-file", str(bad),
                 "--no-verify")  # fmt: skip
    assert result.returncode != 0 and "not a PEM public key" in result.stderr
