"""The companion Commerce module (magento-module/) agrees with its contract (docs/commerce-module.md).

Magento cannot run here, so this reads the module's XML and PHP as text: the REST routes and their ACL
resource, the config paths and defaults, the idempotency table and its UNIQUE key, the observed events, and
that every class the XML names exists. scripts/check-php.sh lints the PHP and runs its PHPUnit tests.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
MODULE = REPO / "magento-module"
NAMESPACE = "ChannelManager\\Connector\\"
ACL_RESOURCE = "ChannelManager_Connector::orders"

# The contract (v1), route by route: (method, url) -> (service interface, service method).
API = "ChannelManager\\Connector\\Api\\"
ROUTES = {
    ("GET", "/V1/channel-manager/info"): (API + "InfoInterface", "get"),
    ("POST", "/V1/channel-manager/orders"): (API + "ChannelOrderManagementInterface", "place"),
}

# Config paths of the contract with the defaults it states (None: present, no fixed default).
CONFIG_DEFAULTS = {
    "payment/channelpayment/active": "1",
    "payment/channelpayment/title": "Channel Manager (Walmart Marketplace)",
    "payment/channelpayment/order_status": "pending",
    "payment/channelpayment/can_use_checkout": "0",
    "payment/channelpayment/can_use_internal": "1",
    "payment/channelpayment/model": None,
    "carriers/channelshipping/active": "1",
    "carriers/channelshipping/title": "Channel Shipping",
    "carriers/channelshipping/model": None,
    "channel_manager/events/url": None,
    "channel_manager/events/secret": None,
    "channel_manager/events/enabled": None,
    "channel_manager/events/timeout": "5",
}

# Magento event -> the contract's event name.
OBSERVED_EVENTS = {
    "sales_order_shipment_save_after": "shipment_saved",
    "sales_order_shipment_track_save_after": "track_saved",
    "sales_order_creditmemo_save_after": "creditmemo_saved",
    "order_cancel_after": "order_cancelled",
    "cataloginventory_stock_item_save_commit_after": "stock_changed",
}

LINK_COLUMNS = {"link_id", "channel", "external_order_id", "order_id", "increment_id", "created_at"}
XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"


def parse(relative: str) -> ET.Element:
    path = MODULE / relative
    assert path.is_file(), f"the module has no {relative}"
    return ET.parse(path).getroot()


def class_file(class_name: str) -> Path:
    """The PSR-4 file of one of the module's classes."""
    name = class_name.lstrip("\\")
    assert name.startswith(NAMESPACE), f"{class_name} is not in the module's namespace"
    return MODULE / (name[len(NAMESPACE) :].replace("\\", "/") + ".php")


def php_source(class_name: str) -> str:
    path = class_file(class_name)
    assert path.is_file(), f"{class_name} has no file {path.relative_to(REPO)}"
    return path.read_text()


def test_the_module_is_registered_under_its_contract_names() -> None:
    assert parse("etc/module.xml").find("module").get("name") == "ChannelManager_Connector"
    assert "'ChannelManager_Connector'" in (MODULE / "registration.php").read_text()
    composer = json.loads((MODULE / "composer.json").read_text())
    assert composer["name"] == "channel-manager/module-connector"
    assert composer["type"] == "magento2-module"
    assert composer["autoload"]["psr-4"] == {NAMESPACE: ""}
    assert "registration.php" in composer["autoload"]["files"]
    config_php = php_source("ChannelManager\\Connector\\Model\\Config")
    assert f"VERSION = '{composer['version']}'" in config_php, "GET info reports another version than composer.json"


def test_webapi_routes_are_exactly_the_contracts() -> None:
    routes = {}
    for route in parse("etc/webapi.xml").findall("route"):
        service = route.find("service")
        resources = [r.get("ref") for r in route.findall("resources/resource")]
        assert resources == [ACL_RESOURCE], f"{route.get('url')} is not guarded by {ACL_RESOURCE}"
        routes[(route.get("method"), route.get("url"))] = (service.get("class"), service.get("method"))
    assert routes == ROUTES


def test_each_route_service_is_declared_and_implemented() -> None:
    preferences = {p.get("for"): p.get("type") for p in parse("etc/di.xml").findall("preference")}
    for interface, method in ROUTES.values():
        assert re.search(rf"public function {method}\(", php_source(interface)), f"{interface} lacks {method}()"
        implementation = preferences.get(interface)
        assert implementation, f"etc/di.xml has no preference for {interface}"
        assert re.search(rf"public function {method}\(", php_source(implementation))
    # Every Api interface (service and data) has a preference to a class that exists.
    for path in sorted((MODULE / "Api").rglob("*Interface.php")):
        interface = NAMESPACE + str(path.relative_to(MODULE).with_suffix("")).replace("/", "\\")
        assert interface in preferences, f"etc/di.xml has no preference for {interface}"
        assert f"implements {interface.rsplit(chr(92), 1)[1]}" in php_source(preferences[interface])


def test_the_acl_declares_the_routes_resource() -> None:
    ids = {r.get("id") for r in parse("etc/acl.xml").iter("resource")}
    assert ACL_RESOURCE in ids
    section = parse("etc/adminhtml/system.xml").find("system/section[@id='channel_manager']")
    assert section is not None and section.findtext("resource") in ids


def test_the_result_and_info_objects_answer_with_the_contracts_keys() -> None:
    # The webapi serialises getters as snake_case keys.
    def keys(interface: str) -> set[str]:
        return {
            re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
            for name in re.findall(r"public function get(\w+)\(", php_source(interface))
        }

    assert keys("ChannelManager\\Connector\\Api\\Data\\ChannelOrderResultInterface") == {
        "entity_id",
        "increment_id",
        "created",
    }
    assert keys("ChannelManager\\Connector\\Api\\Data\\InfoInterface") == {
        "module",
        "version",
        "payment_method",
        "carrier",
        "events_enabled",
    }
    order_keys = keys("ChannelManager\\Connector\\Api\\Data\\ChannelOrderInterface")
    assert {"channel", "external_order_id", "store_id", "currency_code", "increment_id", "customer"} <= order_keys
    assert {"shipping_address", "billing_address", "shipping", "items", "comment"} <= order_keys
    assert keys("ChannelManager\\Connector\\Api\\Data\\ChannelOrderItemInterface") == {
        "line_number",
        "sku",
        "qty",
        "price",
        "tax_amount",
    }


def config_values() -> dict[str, ET.Element]:
    default = parse("etc/config.xml").find("default")
    assert default is not None
    values = {}
    for section in default:
        for group in section:
            for field in group:
                values[f"{section.tag}/{group.tag}/{field.tag}"] = field
    return values


def test_config_paths_exist_with_the_contracts_defaults() -> None:
    values = config_values()
    for path, expected in CONFIG_DEFAULTS.items():
        assert path in values, f"etc/config.xml lacks {path}"
        if expected is not None:
            assert (values[path].text or "").strip() == expected, path
    assert values["channel_manager/events/secret"].get("backend_model") == (
        "Magento\\Config\\Model\\Config\\Backend\\Encrypted"
    )
    for path in ("payment/channelpayment/model", "carriers/channelshipping/model"):
        php_source(values[path].text.strip())


def test_the_php_config_paths_are_the_xml_ones() -> None:
    config_php = php_source("ChannelManager\\Connector\\Model\\Config")
    php_paths = set(re.findall(r"XML_\w+ = '([^']+)'", config_php))
    assert php_paths == {p for p in CONFIG_DEFAULTS if p.startswith("channel_manager/")}
    assert php_paths <= set(config_values())


def test_the_admin_can_edit_the_event_settings_and_the_secret_stays_encrypted() -> None:
    system = parse("etc/adminhtml/system.xml").find("system")
    fields = {}
    for section in system.findall("section"):
        for group in section.findall("group"):
            for field in group.findall("field"):
                fields[f"{section.get('id')}/{group.get('id')}/{field.get('id')}"] = field
    for path in ("channel_manager/events/url", "channel_manager/events/secret", "channel_manager/events/enabled"):
        assert path in fields, f"system.xml does not show {path}"
    secret = fields["channel_manager/events/secret"]
    assert secret.get("type") == "obscure"
    assert secret.findtext("backend_model") == "Magento\\Config\\Model\\Config\\Backend\\Encrypted"


def test_the_order_link_table_has_the_unique_key() -> None:
    tables = {t.get("name"): t for t in parse("etc/db_schema.xml").findall("table")}
    table = tables.get("channel_manager_order_link")
    assert table is not None, "db_schema.xml declares no channel_manager_order_link"
    assert table.get("resource") == "sales", "the link must live on the sales connection, beside the order"
    columns = {c.get("name"): c for c in table.findall("column")}
    assert set(columns) == LINK_COLUMNS
    for name in ("channel", "external_order_id"):
        assert columns[name].get("nullable") == "false", f"{name} must be NOT NULL for the key to hold"
    constraints = {c.get("referenceId"): c for c in table.findall("constraint")}
    unique = [
        [col.get("name") for col in c.findall("column")] for c in constraints.values() if c.get(XSI_TYPE) == "unique"
    ]
    assert unique == [["channel", "external_order_id"]]
    primary = [c for c in constraints.values() if c.get(XSI_TYPE) == "primary"]
    assert [[col.get("name") for col in c.findall("column")] for c in primary] == [["link_id"]]

    whitelist = json.loads((MODULE / "etc/db_schema_whitelist.json").read_text())["channel_manager_order_link"]
    assert set(whitelist["column"]) == LINK_COLUMNS
    assert set(whitelist["constraint"]) == set(constraints)
    assert set(whitelist.get("index", {})) == {i.get("referenceId") for i in table.findall("index")}

    resource = php_source("ChannelManager\\Connector\\Model\\ResourceModel\\OrderLink")
    assert "TABLE = 'channel_manager_order_link'" in resource
    assert "$connectionName = 'sales'" in resource


def test_the_contracts_events_are_observed_by_existing_classes() -> None:
    observers = {}
    for event in parse("etc/events.xml").findall("event"):
        observers[event.get("name")] = [o.get("instance") for o in event.findall("observer")]
    for magento_event, contract_event in OBSERVED_EVENTS.items():
        assert magento_event in observers, f"etc/events.xml does not observe {magento_event}"
        for instance in observers[magento_event]:
            source = php_source(instance)
            assert "implements ObserverInterface" in source
            if contract_event != "stock_changed":
                constant = contract_event.upper()
                assert f"EventBodyBuilder::{constant}" in source, f"{instance} does not raise {contract_event}"
    builder = php_source("ChannelManager\\Connector\\Model\\Event\\EventBodyBuilder")
    for contract_event in OBSERVED_EVENTS.values():
        assert f"= '{contract_event}';" in builder
    # MSI source item saves raise stock_changed too.
    plugins = {t.get("name"): [p.get("type") for p in t.findall("plugin")] for t in parse("etc/di.xml").findall("type")}
    msi = plugins.get("Magento\\InventoryApi\\Api\\SourceItemsSaveInterface")
    assert msi, "no plugin on MSI source item saves"
    assert "stockEvent(" in php_source(msi[0])


def test_the_signature_headers_are_the_contracts() -> None:
    signer = php_source("ChannelManager\\Connector\\Model\\Event\\EventSigner")
    for header in ("X-Channel-Manager-Event", "X-Channel-Manager-Timestamp", "X-Channel-Manager-Signature"):
        assert f"'{header}'" in signer
    assert "hash_hmac('sha256', $timestamp . '.' . $body, $secret)" in signer


@pytest.mark.parametrize("route", sorted(url for _, url in ROUTES))
def test_the_docs_describe_each_route(route: str) -> None:
    docs = (REPO / "docs" / "commerce-module.md").read_text()
    assert re.search(rf"^#+ `(GET|POST) {re.escape(route)}`", docs, re.MULTILINE), f"docs lack a section for {route}"


def test_the_test_command_runs_the_php_checks() -> None:
    assert "bash scripts/check-php.sh" in (REPO / "scripts" / "test.sh").read_text()
