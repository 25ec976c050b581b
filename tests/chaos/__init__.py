"""The chaos suite: both sandboxes, a private PostgreSQL cluster and several ``channel-manager run`` processes,
real lifecycles driven as a merchant and a buyer would, every fault at once, and a verdict read back from the
sandboxes' seller-side truth. ``test_chaos.py`` runs it small in CI; ``bench/chaos.py`` runs it at scale."""
