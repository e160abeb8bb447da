"""Fixtures for the indexer tests, defined once for the folder (a session fixture
imported into several modules would start once per module)."""

from tests.indexers.proxy_fixtures import fresh_microsocks, microsocks, tinyproxy

__all__ = ["fresh_microsocks", "microsocks", "tinyproxy"]
