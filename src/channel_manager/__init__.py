"""channel-manager: Walmart Marketplace <-> Adobe Commerce order sync, exactly once."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("channel-manager")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0"
