"""Local stand-ins for Walmart's Marketplace API and Adobe Commerce's REST API.

They speak the same paths, JSON shapes, errors and state rules as the real services (see
``../shared/contracts``), inject faults on request, and are what the tests, the demo and the
benchmarks run against.
"""
