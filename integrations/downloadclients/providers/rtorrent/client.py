"""Raw rTorrent XML-RPC calls (rTorrent 0.9.x command names; no idkarr semantics here).

Every call goes through ``RTorrentApi.call``: marshalled by ``xmlrpc.py``, sent by
a transport (SCGI or HTTP), and every ``<fault>`` or unreadable answer turned
into the error tree with rTorrent's own fault text. rTorrent reports infohashes
in UPPERCASE and accepts either case; this layer always sends uppercase.
"""

from __future__ import annotations

import re
from typing import Protocol

from integrations.errors import (
    ConfigurationError,
    IntegrationError,
    NotFoundError,
    ProtocolError,
    UnsupportedError,
)
from integrations.http import excerpt

from .xmlrpc import Fault, XmlRpcError, dumps_call, loads_response

MIN_VERSION = (0, 9, 0)  # d.multicall2 and the load.* commands with a target argument
FAULT_NO_HASH = -501  # "Could not find info-hash."
FAULT_NO_METHOD = -506  # "Method 'x' not defined"
FAULT_NO_COMMAND = -503  # 'Command "x" does not exist.' (inside d.multicall2)


class Transport(Protocol):
    endpoint: str

    def post(self, body: bytes) -> bytes: ...

    def close(self) -> None: ...


def parse_version(text: object) -> tuple[int, ...]:
    """``"0.9.8"`` → ``(0, 9, 8)``; ProtocolError for anything else."""
    m = re.fullmatch(r"v?(\d+(?:\.\d+)*)\S*", str(text or "").strip())
    if not isinstance(text, str) or not m:
        raise ProtocolError(
            f"rTorrent reported an unreadable version {excerpt(str(text), 40)!r}; "
            "this does not look like rTorrent"
        )
    return tuple(int(p) for p in m.group(1).split("."))


def quote_command_arg(value: str) -> str:
    """A value for a ``load.*`` command string (``d.custom1.set=<value>``), quoted so
    rTorrent's command parser takes it literally: commas, ``$``, braces and quotes
    included. Control characters are refused."""
    if re.search(r"[\x00-\x1f\x7f]", value):
        raise ConfigurationError(
            f"rTorrent cannot take {excerpt(value, 40)!r}: it contains a control character"
        )
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


class RTorrentApi:
    """Typed XML-RPC calls on one transport."""

    def __init__(self, transport: Transport):
        self.transport = transport
        self.client_version = ""
        self.library_version = ""
        self.api_version: int | None = None

    def close(self) -> None:
        self.transport.close()

    # -- the one request path ------------------------------------------------------------------
    def call(self, method: str, *params: object) -> object:
        try:
            body = dumps_call(method, params)
        except ValueError as exc:
            raise ConfigurationError(f"Cannot send {method} to rTorrent: {exc}") from None
        raw = self.transport.post(body)
        try:
            return loads_response(raw)
        except Fault as fault:
            raise self._fault_error(method, params, fault) from None
        except XmlRpcError as exc:
            if exc.html:
                raise ProtocolError(
                    f"{self.transport.endpoint} answered {method} with an HTML page instead "
                    f"of XML-RPC (a login page, or the ruTorrent web UI?): "
                    f"{excerpt(raw[:4096].decode('utf-8', 'replace'), 80)!r}; check the URL base "
                    "(usually /RPC2) and the credentials"
                ) from None
            raise ProtocolError(
                f"rTorrent sent an unreadable answer to {method}: {exc.reason}"
            ) from None

    def _fault_error(self, method: str, params: tuple, fault: Fault) -> IntegrationError:
        text = excerpt(fault.string, 160)
        if fault.code == FAULT_NO_HASH and params and isinstance(params[0], str):
            return NotFoundError(f"rTorrent has no download {params[0].lower()}")
        if fault.code == FAULT_NO_METHOD:
            return UnsupportedError(
                f"rTorrent does not know the method {method} ({text}); idkarr needs "
                f"rTorrent {'.'.join(map(str, MIN_VERSION))} or newer"
            )
        return IntegrationError(f"rTorrent refused {method}: {text} (fault {fault.code})")

    # -- version ---------------------------------------------------------------------------------
    def check_version(self) -> str:
        """Read the client, library and API versions; UnsupportedError below 0.9.0,
        ProtocolError when the server is some other XML-RPC service."""
        try:
            client = self.call("system.client_version")
        except UnsupportedError:
            raise ProtocolError(
                f"The XML-RPC server at {self.transport.endpoint} does not know "
                "system.client_version; it does not look like rTorrent"
            ) from None
        version = parse_version(client)
        if version < MIN_VERSION:
            raise UnsupportedError(
                f"rTorrent {client} is too old; idkarr needs rTorrent "
                f"{'.'.join(map(str, MIN_VERSION))} or newer"
            )
        library = self.call("system.library_version")
        api = self.call("system.api_version")
        self.client_version = client
        self.library_version = str(library)
        self.api_version = int(api) if str(api).isdigit() else None
        return client

    # -- downloads -------------------------------------------------------------------------------
    def load(self, payload: bytes | str, *, start: bool, commands: list[str]) -> None:
        """Load .torrent bytes (``load.raw[_start]``) or a magnet (``load.start``/``load.normal``).

        rTorrent answers 0 even for input it then refuses; callers check the list.
        """
        if isinstance(payload, bytes):
            method = "load.raw_start" if start else "load.raw"
        else:
            method = "load.start" if start else "load.normal"
        result = self.call(method, "", payload, *commands)
        if result != 0:
            raise IntegrationError(f"rTorrent answered {method} with {excerpt(str(result), 40)!r}")

    def multicall(self, fields: tuple[str, ...], view: str = "main") -> list[list[object]]:
        """``d.multicall2("", view, "d.<field>=", …)`` → one row per download, in field order."""
        rows = self.call("d.multicall2", "", view, *(f"d.{f}=" for f in fields))
        if not isinstance(rows, list) or not all(
            isinstance(r, list) and len(r) == len(fields) for r in rows
        ):
            raise ProtocolError("rTorrent sent the download list in an unexpected shape")
        return rows

    def exists(self, infohash: str) -> bool:
        try:
            self.d("hash", infohash)
        except NotFoundError:
            return False
        return True

    def d(self, command: str, infohash: str, *args: object) -> object:
        """One ``d.<command>`` call on a download (hash in either case)."""
        return self.call(f"d.{command}", infohash.upper(), *args)

    def fields(self, infohash: str, names: tuple[str, ...]) -> dict[str, object]:
        """Several ``d.*`` values of one download in a single ``system.multicall``."""
        calls = [{"methodName": f"d.{n}", "params": [infohash.upper()]} for n in names]
        results = self.call("system.multicall", calls)
        if not isinstance(results, list) or len(results) != len(names):
            raise ProtocolError("rTorrent sent a system.multicall answer in an unexpected shape")
        out = {}
        for name, result in zip(names, results, strict=True):
            if isinstance(result, dict) and "faultCode" in result:
                fault = Fault(int(result["faultCode"]), str(result.get("faultString", "")))
                raise self._fault_error(f"d.{name}", (infohash,), fault)
            if not isinstance(result, list) or len(result) != 1:
                raise ProtocolError(f"rTorrent sent d.{name} in an unexpected shape")
            out[name] = result[0]
        return out

    def default_directory(self) -> str:
        return str(self.call("directory.default"))
