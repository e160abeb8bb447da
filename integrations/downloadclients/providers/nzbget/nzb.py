"""NZBGet's wording of the shared NZB check, and the file name NZBGet needs.

NZBGet accepts anything in ``append`` and reports junk only afterwards, as a
``FAILURE/SCAN`` history entry; an indexer's HTML error page or a truncated
download is refused up front with the reason (see ``integrations.downloadclients.nzb``).

Gzip: NZBGet 21 (Debian) read gzip-packed content named ``*.nzb`` (its libxml2 unpacks
files transparently, which depends on how libxml2 was built) and answered ``append``
with 0 for a ``*.nzb.gz`` name. So idkarr unpacks a gzip-packed NZB itself and sends
NZBGet the plain XML, which every NZBGet build reads.
"""

from __future__ import annotations

from integrations.downloadclients.nzb import NzbError, NzbSummary, read_nzb
from integrations.errors import ProtocolError


def check_nzb(data: bytes, name: str = "") -> NzbSummary:
    """The summary of the NZB in ``data`` (``.xml``: the plain XML to send); raise
    ProtocolError saying why it isn't one."""
    try:
        return read_nzb(data, allow_gzip=True)
    except NzbError as exc:
        what = f"{name} is not" if name else "not"
        raise ProtocolError(f"Not sent to NZBGet: {what} a valid NZB ({exc.reason})") from None


def nzb_filename(name: str) -> str:
    """NZBGet only reads files named ``*.nzb`` and names the job after the file."""
    name = name.strip().replace("/", "_").replace("\\", "_")
    if name.lower().endswith(".nzb.gz"):
        name = name[: -len(".gz")]  # the content sent is the unpacked XML
    name = name or "idkarr"
    return name if name.lower().endswith(".nzb") else f"{name}.nzb"
