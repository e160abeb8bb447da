"""A strict, safe check that bytes are an NZB before they are sent to NZBGet.

NZBGet accepts anything in ``append`` and reports junk only afterwards, as a
``FAILURE/SCAN`` history entry; an indexer's HTML error page or a truncated
download should be refused up front with the reason. Parsed with expat, with
entity declarations refused (no "billion laughs") and no external DTD loaded.
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.parsers import expat

from integrations.errors import ProtocolError


@dataclass
class NzbSummary:
    files: int
    segments: int
    title: str = ""


class _Refused(Exception):
    pass


def check_nzb(data: bytes, name: str = "") -> NzbSummary:
    """Return a summary of the NZB in ``data``; raise ProtocolError saying why it isn't one."""
    label = name or "the NZB"

    def refuse(reason: str) -> ProtocolError:
        return ProtocolError(f"Not sent to NZBGet: {label} is not a valid NZB ({reason})")

    if not data or not data.strip():
        raise refuse("it is empty")
    summary = NzbSummary(files=0, segments=0)
    depth = 0
    meta_title = False
    title_parts: list[str] = []

    def start(tag: str, attrs: dict) -> None:
        nonlocal depth, meta_title
        local = tag.rsplit(" ", 1)[-1]
        if depth == 0 and local != "nzb":
            raise _Refused(f"its root element is <{local}>, not <nzb>")
        depth += 1
        if local == "file":
            summary.files += 1
        elif local == "segment":
            summary.segments += 1
        meta_title = local == "meta" and attrs.get("type") == "title"

    def end(tag: str) -> None:
        nonlocal depth, meta_title
        depth -= 1
        meta_title = False

    def text(chars: str) -> None:
        if meta_title:
            title_parts.append(chars)

    def entity_declared(*_args) -> None:
        raise _Refused("it declares XML entities")

    parser = expat.ParserCreate(namespace_separator=" ")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    parser.EntityDeclHandler = entity_declared
    try:
        parser.Parse(data, True)
    except _Refused as exc:
        raise refuse(str(exc)) from None
    except expat.ExpatError as exc:
        reason = expat.ErrorString(exc.code)
        raise refuse(f"not XML: {reason} at line {exc.lineno}") from None
    if summary.files == 0:
        raise refuse("it lists no files")
    if summary.segments == 0:
        raise refuse("its files list no segments")
    summary.title = "".join(title_parts).strip()
    return summary


def nzb_filename(name: str) -> str:
    """NZBGet only reads files named ``*.nzb`` and names the job after the file."""
    name = name.strip().replace("/", "_").replace("\\", "_") or "idkarr"
    return name if name.lower().endswith(".nzb") else f"{name}.nzb"
