"""Errors of the storage layer, each with a one-line message a merchant understands."""

from __future__ import annotations


class StorageError(Exception):
    """Something about the stored data or the database itself; ``str(error)`` says what."""


class DatabaseUnavailable(StorageError):
    """The database cannot be opened or reached (bad URL, server down, wrong credentials)."""


class DatabaseTooNew(DatabaseUnavailable):
    """The database was migrated by a newer channel-manager than the one running."""


class DuplicateStore(StorageError):
    def __init__(self, name: str) -> None:
        super().__init__(f"A store named {name!r} already exists.")
        self.name = name


class WalmartAccountInUse(StorageError):
    """The Walmart seller account is already connected to another store (and sharing it was not asked for)."""

    def __init__(self, client_id: str, base_url: str, other: str) -> None:
        super().__init__(
            f"The Walmart account {client_id!r} at {base_url} is already connected to store {other!r}: two stores "
            "would take in the same orders. Give --allow-shared-walmart-account if that is what you want."
        )
        self.client_id = client_id
        self.other = other


class StoreNotFound(StorageError):
    def __init__(self, store: int | str) -> None:
        what = f"named {store!r}" if isinstance(store, str) else f"with id {store}"
        super().__init__(f"There is no store {what}.")
        self.store = store


class StoreHasOrders(StorageError):
    def __init__(self, name: str, orders: int) -> None:
        super().__init__(
            f"Store {name!r} still has {orders} order(s); removing it would delete their history. "
            "Remove it with force to delete the store and its orders."
        )
        self.name = name
        self.orders = orders


class OrderNotFound(StorageError):
    def __init__(self, purchase_order_id: str | int) -> None:
        what = f"PO {purchase_order_id}" if isinstance(purchase_order_id, str) else f"order id {purchase_order_id}"
        super().__init__(f"There is no {what} in this channel-manager.")
        self.purchase_order_id = purchase_order_id


class ReturnNotFound(StorageError):
    def __init__(self, return_order_id: str) -> None:
        super().__init__(f"There is no return {return_order_id} in this channel-manager.")
        self.return_order_id = return_order_id


class ConcurrentUpdate(StorageError):
    """Someone else saved the same record since it was read; reload and try again."""

    def __init__(self, what: str) -> None:
        super().__init__(f"{what} was changed by another process at the same time; the change will be retried.")
        self.what = what
