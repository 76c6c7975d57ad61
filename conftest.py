"""Shared fixtures live in otklik.testing, so tests beside each capability can use them."""

pytest_plugins = ["otklik.testing"]
