"""The sandbox's catalog routes (``GET /V1/products``, ``/V1/products/{sku}``, ``/V1/stockItems/{sku}``),
read by a third-party Magento client from PyPI (``pymagento``) over real HTTP."""

from __future__ import annotations

import pytest
from magento import Magento, make_search_query
from magento.exceptions import MagentoException

from channel_manager_sandboxes.commerce.settings import DEFAULT_TOKEN

from .conftest import RunningSandbox


@pytest.fixture
def magento(sandbox: RunningSandbox) -> Magento:
    sandbox.product("MUG-1", price=8.5, quantity=20, name="Ceramic Mug")
    sandbox.product("KETTLE/1.7L", price=29.9, quantity=0, name="Electric Kettle")
    sandbox.product("LAMP-1", price=23.75, quantity=5, name="Desk Lamp", status="disabled")
    for n in range(7):
        sandbox.product(f"SOCK-{n}", price=2.0 + n, quantity=n)
    return Magento(token=DEFAULT_TOKEN, base_url=sandbox.url, scope="default")


def test_a_third_party_client_reads_one_product_and_its_stock_item(magento: Magento) -> None:
    mug = magento.get_product("MUG-1")
    assert mug is not None
    assert (mug["sku"], mug["name"], mug["price"], mug["status"], mug["type_id"]) == (
        "MUG-1",
        "Ceramic Mug",
        8.5,
        1,
        "simple",
    )
    assert mug["extension_attributes"]["stock_item"]["qty"] == 20
    kettle = magento.get_product("KETTLE/1.7L")  # a slash in the SKU, escaped in the path
    assert kettle is not None and kettle["name"] == "Electric Kettle"
    stock = magento.get_product_stock_item("KETTLE/1.7L")
    assert (stock["qty"], stock["is_in_stock"], stock["product_id"]) == (0, False, kettle["id"])
    assert magento.get_product("NO-SUCH-SKU") is None  # 404 -> None
    with pytest.raises(MagentoException):
        magento.get_product_stock_item("NO-SUCH-SKU")


def test_a_third_party_client_searches_and_pages_the_catalog(magento: Magento) -> None:
    every = list(magento.get_products(page_size=4))
    assert len(every) == 10 and len({p["sku"] for p in every}) == 10
    by_id = magento.get_product_by_id(every[0]["id"])
    assert by_id is not None and by_id["sku"] == every[0]["sku"]
    # (sku like SOCK-% OR name = Ceramic Mug) AND price >= 4, by price ascending
    query = make_search_query(
        [[("sku", "SOCK-%", "like"), ("name", "Ceramic Mug", "eq")], [("price", 4, "gteq")]],
        sort_orders=[("price", "asc")],
    )
    found = list(magento.get_products(query=query))
    assert [p["sku"] for p in found] == ["SOCK-2", "SOCK-3", "SOCK-4", "SOCK-5", "SOCK-6", "MUG-1"]
    disabled = list(magento.get_products(query=make_search_query([[("status", 2, "eq")]])))
    assert [p["sku"] for p in disabled] == ["LAMP-1"]
    in_list = list(magento.get_products(query=make_search_query([[("sku", "MUG-1,LAMP-1", "in")]])))
    assert sorted(p["sku"] for p in in_list) == ["LAMP-1", "MUG-1"]


def test_catalog_routes_need_a_token_and_answer_commerces_errors(sandbox: RunningSandbox) -> None:
    sandbox.product("MUG-1")
    anonymous = sandbox.control.get("/rest/V1/products/MUG-1")
    assert anonymous.status_code == 401
    assert anonymous.json()["parameters"] == {"resources": "Magento_Catalog::products"}
    headers = {"Authorization": f"Bearer {DEFAULT_TOKEN}"}
    missing = sandbox.control.get("/rest/V1/products/NOPE", headers=headers)
    assert missing.status_code == 404
    assert (
        missing.json()["message"] == "The product that was requested doesn't exist. Verify the product and try again."
    )
    no_criteria = sandbox.control.get("/rest/V1/products", headers=headers)
    assert no_criteria.status_code == 400
    assert no_criteria.json()["parameters"] == {"fieldName": "searchCriteria"}
