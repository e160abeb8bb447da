from __future__ import annotations

from integrations.registry import Registry

from .base import FAMILY

registry = Registry(FAMILY)
