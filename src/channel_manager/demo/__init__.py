"""``channel-manager demo``: both sandboxes, a demo store, generated orders, a merchant, faults and a live view."""

from .environment import DEMO_STORE_NAME, OtherStoresPresent
from .runner import DemoOptions, DemoResult, run_demo

__all__ = ["DEMO_STORE_NAME", "DemoOptions", "DemoResult", "OtherStoresPresent", "run_demo"]
