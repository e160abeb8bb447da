"""Transmission (RPC 14+) download client."""

from __future__ import annotations

from .provider import Transmission, TransmissionSettings

__all__ = ["Transmission", "TransmissionSettings"]
