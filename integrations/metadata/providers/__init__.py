"""Every metadata source, registered explicitly."""

from __future__ import annotations

from ..registry import registry
from .tmdb import Tmdb
from .tvdb import Tvdb

for provider in (Tvdb, Tmdb):
    registry.register(provider)
