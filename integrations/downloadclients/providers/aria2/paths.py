"""Where aria2 puts things: category subdirectories, and deleting a download's files.

aria2 has no categories, so a category is a subdirectory of the download
directory. aria2 cannot delete files over RPC either, so idkarr deletes the files
aria2 lists, and only those that really lie inside the download's directory.
"""

from __future__ import annotations

import logging
import ntpath
import os
import posixpath
from functools import lru_cache

from integrations.errors import ConfigurationError, UnsupportedError

log = logging.getLogger(__name__)

METADATA_PREFIX = "[METADATA]"  # the pseudo file of a magnet's metadata download


def path_module(base: str):
    """``ntpath`` for a Windows-looking aria2 path, else ``posixpath``."""
    if "\\" in base or (len(base) > 1 and base[1] == ":"):
        return ntpath
    return posixpath


def category_of(directory: str, base: str) -> str:
    """The category (subdirectory) a download directory stands for, ``""`` outside ``base``."""
    if not directory or not base:
        return ""
    pm = path_module(base)
    if pm.isabs(base) and pm.isabs(directory):  # the answer cannot depend on the cwd
        return _category_of_absolute(directory, base)
    return _category_of(directory, base, pm)


@lru_cache(maxsize=1024)  # a queue has a handful of distinct directories
def _category_of_absolute(directory: str, base: str) -> str:
    return _category_of(directory, base, path_module(base))


def _category_of(directory: str, base: str, pm) -> str:
    base_n, dir_n = pm.normpath(base), pm.normpath(directory)
    try:
        rel = pm.relpath(dir_n, base_n)
    except ValueError:  # another drive on Windows
        return ""
    if rel == "." or rel == ".." or rel.startswith(".." + pm.sep) or pm.isabs(rel):
        return ""
    return rel.replace(pm.sep, "/")


def category_parts(category: str) -> list[str]:
    """Path segments of a category subdirectory; ConfigurationError for anything that could
    leave the download directory or that aria2 could not create portably."""
    parts = category.split("/")
    bad = [p for p in parts if p in ("", ".", "..") or any(c in p for c in "\\:\x00")]
    if bad:
        raise ConfigurationError(
            f"aria2 cannot use the category {category!r}: aria2 has no categories, so idkarr "
            "stores each in a subdirectory, and that needs a relative name without "
            "backslashes, colons, '.' or '..' segments and without leading, trailing or double '/'"
        )
    return parts


def category_dir(base: str, category: str) -> str:
    """``base/category`` in the aria2 host's path style; ``base`` for no category."""
    if not category:
        return base
    return path_module(base).join(base, *category_parts(category))


def data_files(group: list[dict]) -> list[tuple[str, str, bool]]:
    """``(dir, path, has_data)`` of every real file of the release's downloads."""
    out = []
    for entry in group:
        directory = str(entry.get("dir") or "")
        for f in entry.get("files") or []:
            path = str(f.get("path") or "") if isinstance(f, dict) else ""
            if directory and path and not path.startswith(METADATA_PREFIX):
                out.append((directory, path, int(f.get("completedLength") or 0) > 0))
    return out


def ensure_visible(files: list[tuple[str, str, bool]], item_id: str) -> None:
    """UnsupportedError unless the directory of the written files exists here: aria2 can't
    delete files, and idkarr can only delete what it can see."""
    written = [d for d, _, done in files if done]
    if written and not any(os.path.isdir(d) for d in written):
        raise UnsupportedError(
            f"aria2 cannot delete downloaded files itself, and idkarr cannot see "
            f"{written[0]} on this machine; remove {item_id} without deleting data and "
            "delete the files on the aria2 host"
        )


def delete_inside(directory: str, path: str) -> None:
    """Delete ``path`` (and aria2's ``.aria2`` control file) if it really lies inside
    ``directory``; then prune the emptied folders between them."""
    root = os.path.realpath(directory)
    target = os.path.realpath(path)
    if target == root or os.path.commonpath([root, target]) != root:
        log.warning("Not deleting %s: it is outside the download directory %s", path, directory)
        return
    for candidate in (target, target + ".aria2"):
        try:
            os.remove(candidate)
        except FileNotFoundError:
            pass
        except IsADirectoryError:
            log.warning("Not deleting %s: it is a directory", candidate)
    parent = os.path.dirname(target)
    while parent != root and parent.startswith(root + os.sep):
        try:
            os.rmdir(parent)
        except OSError:
            break
        parent = os.path.dirname(parent)
