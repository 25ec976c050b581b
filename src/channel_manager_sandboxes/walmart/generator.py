"""Realistic orders for the sandbox: catalog SKUs, addresses with non-ASCII names, taxes, ship dates."""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

FIRST_NAMES = ("José", "Zoë", "Łukasz", "Søren", "Chloé", "Renée", "Björn", "Ana", "Mia", "Noah", "Ömer", "Jürgen")
LAST_NAMES = ("Müller", "García", "Nuñez", "O'Brien", "Kowalczyk", "Ødegård", "Smith", "Dvořák", "Lefèvre", "Ng")
STREETS = ("Main St", "Gazebo Drive", "Avenida de las Américas", "Oak Lane", "Rue Saint-Honoré", "Elm Street")
CITIES = (
    ("Bentonville", "AR", "72712"),
    ("Cedar Hill", "MO", "63016"),
    ("San José", "CA", "95112"),
    ("Austin", "TX", "78701"),
    ("Española", "NM", "87532"),
    ("Seattle", "WA", "98101"),
)


@dataclass(frozen=True)
class CatalogItem:
    sku: str
    product_name: str
    price: Decimal


DEFAULT_CATALOG: tuple[CatalogItem, ...] = tuple(
    CatalogItem(sku, name, Decimal(price))
    for sku, name, price in (
        ("WM-TSHIRT-BLK-M", "Crew T-Shirt, Black, M", "12.99"),
        ("WM-TSHIRT-WHT-L", "Crew T-Shirt, White, L", "12.99"),
        ("WM-MUG-11OZ", "Ceramic Mug 11 oz", "8.50"),
        ("WM-WAGON-PURPLE", "Folding Wagon, Purple", "54.00"),
        ("WM-LAMP-DESK", "LED Desk Lamp", "23.75"),
        ("WM-BOTTLE-750", "Steel Bottle 750 ml", "17.25"),
        ("WM-SOCKS 3PK", "Socks, 3-pack (size 9-12)", "9.99"),
        ("WM-KETTLE/1.7L", "Electric Kettle 1.7 L", "29.90"),
    )
)


def catalog_from(raw: list[dict[str, Any]] | None) -> tuple[CatalogItem, ...]:
    if not raw:
        return DEFAULT_CATALOG
    return tuple(
        CatalogItem(
            str(item["sku"]),
            str(item.get("product_name") or item.get("productName") or item["sku"]),
            Decimal(str(item.get("price", "10.00"))),
        )
        for item in raw
    )


def random_address(rng: random.Random) -> tuple[str, str, dict[str, Any]]:
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    city, state, postal = rng.choice(CITIES)
    address = {
        "name": f"{first} {last}",
        "address1": f"{rng.randint(1, 9999)} {rng.choice(STREETS)}",
        "address2": rng.choice([None, None, f"Apt {rng.randint(1, 300)}"]),
        "city": city,
        "state": state,
        "postalCode": postal,
        "country": "USA",
        "addressType": "RESIDENTIAL",
    }
    return first, last, address


def pick(value: int | list[int] | tuple[int, int], rng: random.Random) -> int:
    if isinstance(value, int):
        return value
    low, high = value[0], value[-1]
    return rng.randint(int(low), int(high))
