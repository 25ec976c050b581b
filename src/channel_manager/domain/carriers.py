"""Walmart's carrier list and the carrier rule of a shipment.

The list is Walmart's ``carrierName.carrier`` enum (US Marketplace, orders API; see
``contracts/walmart/NOTES.md`` section 3.2). A carrier outside it is sent as ``otherCarrier`` and
then needs a tracking URL.
"""

from __future__ import annotations

WALMART_CARRIERS: tuple[str, ...] = (
    "UPS",
    "USPS",
    "FedEx",
    "Airborne",
    "OnTrac",
    "DHL Ecommerce - US",
    "DHL",
    "LS",
    "UDS",
    "UPSMI",
    "FDX",
    "PILOT",
    "ESTES",
    "SAIA",
    "FDS Express",
    "Seko Worldwide",
    "HIT Delivery",
    "FEDEXSP",
    "RL Carriers",
    "Metropolitan Warehouse & Delivery",
    "China Post",
    "YunExpress",
    "Yellow Freight Sys",
    "AIT Worldwide Logistics",
    "Chukou1",
    "Sendle",
    "Landmark Global",
    "Sunyou",
    "Yanwen",
    "4PX",
    "GLS",
    "OSM Worldwide",
    "FIRST MILE",
    "AM Trucking",
    "CEVA",
    "India Post",
    "SF Express",
    "CNE",
    "TForce Freight",
    "AxleHire",
    "LSO",
    "Royal Mail",
    "ABF Freight System",
    "WanB",
    "Roadrunner Freight",
    "Meyer Distribution",
    "AAA Cooper",
    "Canada Post",
    "Southeastern Freight Lines",
    "Japan Post",
    "Correos de Mexico",
    "XPO Logistics",
    "JD Logistics",
    "YDH",
    "JCEX",
    "Flyt",
    "Deutsche Post",
    "Better Trucks",
    "Asendia",
    "SFC",
    "UBI",
    "ePost Global",
    "YF Logistics",
    "RXO",
    "Estes Express",
    "Shypmax",
    "WIN.IT America",
    "PITT OHIO",
    "PostNord Sweden",
    "Equick",
    "Whistl",
    "Tusou",
    "Shiprocket",
    "DTDC",
    "PTS",
)

_BY_FOLDED_NAME = {name.casefold(): name for name in WALMART_CARRIERS}

#: Walmart's ``methodCode`` enum: the ship method of a PO, echoed on every ship call.
WALMART_METHOD_CODES: tuple[str, ...] = ("Standard", "Express", "OneDay", "Freight", "WhiteGlove", "Value")

#: Commerce's built-in carrier codes and the Walmart carrier they mean, used when a store has no
#: mapping of its own for them.
DEFAULT_COMMERCE_CARRIER_MAP: dict[str, str] = {
    "ups": "UPS",
    "usps": "USPS",
    "fedex": "FedEx",
    "dhl": "DHL",
}


def walmart_carrier_named(name: str) -> str | None:
    """Walmart's exact spelling of ``name`` when it is one of Walmart's carriers, else ``None``."""
    return _BY_FOLDED_NAME.get(name.strip().casefold())
