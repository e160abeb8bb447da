"""Custom script: run an admin-chosen executable from ``IDKARR_SCRIPTS_DIR`` per event.

Sonarr's custom-script contract (v4.0.19.2979 ``Notifications/CustomScript``, Radarr's
names for movies) with the seed's lowercase ``idkarr_*`` variables (event types Test, Grab,
Download, …, HealthIssue; lists joined with "|" for titles/paths, "," for numbers).
Verified with real ``/bin/sh`` scripts: path resolved and kept inside the scripts dir (no
``..``, no symlink escape), executable; checked at save and before each run; no shell, own
session (timeout kills the group: SIGTERM, SIGKILL 5 s later), stdin /dev/null, env =
PATH/HOME/LANG + event variables only (never idkarr's own secrets), output captured.
"""

from __future__ import annotations

import os
import selectors
import shlex
import signal
import stat
import subprocess
import time
from contextlib import suppress
from datetime import UTC, datetime
from pathlib import Path
from subprocess import DEVNULL, PIPE
from typing import Any

from pydantic import Field, ValidationInfo, field_validator, model_validator

from integrations.base import HEALTHY, UNHEALTHY, Health
from integrations.errors import ConfigurationError, IntegrationError, RequestTimedOut
from integrations.http import excerpt

from ..base import EventMessage, NotificationSettings, Notifier
from ..message import truncate
from ..payloads import WEBHOOK_EVENT_TYPES, _check_event_type

OUTPUT_LIMIT = 64 * 1024  # bytes kept per stream (head and tail halves)
VALUE_LIMIT = 32 * 1024  # characters per environment value (Linux caps one at 128 KiB)
KILL_GRACE_SECONDS = 5.0  # between SIGTERM and SIGKILL of the process group
SAFE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
EVENT_NAMES = {**WEBHOOK_EVENT_TYPES, "health_issue": "HealthIssue"}  # Sonarr's script names
_SERIES_KEYS = "id title titleSlug path tvdbId tvMazeId tmdbId imdbId type year"
_MOVIE_KEYS = "id title titleSlug year path imdbId tmdbId releaseDate overview"
_RELEASE_KEYS = "indexer quality qualityVersion releaseGroup size releaseType indexerFlags "
_RELEASE_KEYS += "customFormatScore title=releaseTitle"
_DOWNLOAD_KEYS = "client=downloadClient client_type=downloadClientType id=downloadId"
_DELETED_SPEC = "deletedrelativepaths=relativePath deletedpaths=path deleteddateadded=dateAdded "
_DELETED_SPEC += "deletedrecyclebinpaths=recycleBinPath"
_RENAMED_SPEC = "ids=id, relativepaths=relativePath paths=path previouspaths=previousPath "
_RENAMED_SPEC += "previousrelativepaths=previousRelativePath"
_EPISODES_SPEC = "episodenumbers=episodeNumber, absoluteepisodenumbers=absoluteEpisodeNumber, "
_EPISODES_SPEC += "episodeairdates=airDate, episodeairdatesutc=airDateUtc, episodetitles=title "
_EPISODES_SPEC += "episodeoverviews=overview"
_FILE_KEYS = "id relativePath path quality qualityVersion releaseGroup sceneName size"
_POPEN = {"shell": False, "start_new_session": True, "close_fds": True}


# -- path safety ------------------------------------------------------------------
def scripts_dir() -> Path:
    """The resolved scripts directory; ConfigurationError when unset or missing."""
    from django.conf import settings

    configured = getattr(settings, "IDKARR_SCRIPTS_DIR", None)
    if not configured:
        raise ConfigurationError("No scripts directory is configured; set IDKARR_SCRIPTS_DIR")
    root = Path(configured).resolve()
    if not root.is_dir():
        raise ConfigurationError(f"The scripts dir {configured} (IDKARR_SCRIPTS_DIR) is missing")
    return root


def resolve_inside(value: str, *, what: str, directory: bool = False) -> Path:
    """``value`` (relative to the scripts directory, or absolute inside it) resolved,
    checked to stay inside it and to be an executable file (or a directory)."""
    root = scripts_dir()
    raw = Path(value)
    outside = f"{what} {value!r} is outside the scripts directory {root}"
    if ".." in raw.parts:
        raise ConfigurationError(f"{outside}: '..' is not allowed")
    candidate = raw if raw.is_absolute() else root / raw
    try:
        resolved = candidate.resolve(strict=True)
    except FileNotFoundError:
        raise ConfigurationError(f"{what} {value!r} does not exist in {root}") from None
    except (OSError, RuntimeError) as exc:
        reason = "symlink loop" if isinstance(exc, RuntimeError) else exc.strerror or "error"
        raise ConfigurationError(f"{what} {value!r} cannot be resolved: {reason}") from None
    if not resolved.is_relative_to(root):
        raise ConfigurationError(f"{outside} (it resolves to {resolved})")
    if directory:
        if not resolved.is_dir():
            raise ConfigurationError(f"{what} {value!r} is not a directory")
        return resolved
    if not resolved.is_file():
        raise ConfigurationError(f"{what} {value!r} is not a regular file")
    if not os.access(resolved, os.X_OK):
        raise ConfigurationError(f"{what} {value!r} is not executable (chmod +x it)")
    if resolved.stat().st_mode & stat.S_IWOTH:
        raise ConfigurationError(f"{what} {value!r} is writable by every user (chmod o-w it)")
    return resolved


class CustomScriptSettings(NotificationSettings):
    """Which script from the scripts directory runs, with what, for how long."""

    path: str = Field(
        description="Script to run: relative to the scripts directory (IDKARR_SCRIPTS_DIR) "
        "or an absolute path inside it. Must be executable."
    )
    arguments: str = Field(
        "", description="Arguments, split like a shell would (quotes allowed; no expansion)"
    )
    timeout_seconds: int = Field(
        30, ge=1, le=600, description="Seconds before the script and its children are stopped"
    )
    working_directory: str = Field(
        "",
        description="Directory to run in (inside the scripts directory); "
        "empty: the script's own directory",
    )

    @field_validator("path", "working_directory", "arguments")
    @classmethod
    def _one_line(cls, value: str, info) -> str:
        if info.field_name == "path" and not value:
            raise ValueError("path is required: the script to run")
        if "\x00" in value or "\n" in value or "\r" in value:
            raise ValueError(f"{info.field_name} must not contain NUL characters or line breaks")
        try:
            shlex.split(value if info.field_name == "arguments" else "")
        except ValueError as exc:
            raise ValueError(f"arguments cannot be split: {exc}") from None
        return value

    @model_validator(mode="after")
    def _inside_scripts_dir(self, info: ValidationInfo) -> CustomScriptSettings:
        if (info.context or {}).get("stored"):  # loading a saved target: send() checks at run
            return self
        try:
            resolve_inside(self.path, what="Script")
            if self.working_directory:
                resolve_inside(self.working_directory, what="Working directory", directory=True)
        except ConfigurationError as exc:
            raise ValueError(exc.message) from None
        return self


# -- environment --------------------------------------------------------------------
def _str(value: Any) -> str:
    if isinstance(value, bool):
        return "True" if value else "False"  # as .NET prints them
    return "" if value is None else str(value)


def _d(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _rows(value: Any) -> list[dict]:
    return [r for r in value if isinstance(r, dict)] if isinstance(value, list) else []


def _join(items: Any, key: str, sep: str) -> str:
    return sep.join(_str(r[key]) for r in _rows(items) if r.get(key) is not None)


def _plain(values: Any, sep: str = "|") -> str:
    items = values if isinstance(values, list) else []
    return sep.join(str(v) for v in items if isinstance(v, str | int | float))


def _pick(prefix: str, obj: dict, keys: str) -> dict[str, Any]:
    """``{prefix}_{key lowercased}`` per camelCase key of ``obj`` (``name=key`` renames)."""
    pairs = (k.split("=") if "=" in k else (k.lower(), k) for k in keys.split())
    return {f"{prefix}_{name}": obj.get(key) for name, key in pairs}


def _lists(prefix: str, rows: Any, spec: str) -> dict[str, str]:
    """``spec``: ``name=key`` items; ``name=key,`` joins with "," (numbers), else "|"."""
    out = {}
    for item in spec.split():
        name, key = item.split("=")
        sep = "," if key.endswith(",") else "|"
        out[f"{prefix}_{name}"] = _join(rows, key.rstrip(","), sep)
    return out


def _library(prefix: str, item: dict, keys: str) -> dict[str, Any]:
    env = _pick(prefix, item, keys)
    lang = item.get("originalLanguage")
    env[f"{prefix}_originallanguage"] = _d(lang).get("code") or _d(lang).get("name") or ""
    env.update({f"{prefix}_{key}": _plain(item.get(key)) for key in ("genres", "tags")})
    return env


def _episodes(prefix: str, episodes: Any) -> dict[str, Any]:
    eps = _rows(episodes)
    env = _lists(prefix, eps, _EPISODES_SPEC)
    env[f"{prefix}_episodecount"] = len(eps)
    seasons = dict.fromkeys(_str(e.get("seasonNumber")) for e in eps)  # unique, in order
    env[f"{prefix}_seasonnumber"] = ",".join(seasons)
    return env


def _file(prefix: str, f: dict, p: dict) -> dict[str, Any]:
    env = _pick(prefix, f, _FILE_KEYS)
    source = f.get("sourcePath") or p.get("sourcePath")
    env[f"{prefix}_sourcepath"] = source
    env[f"{prefix}_sourcefolder"] = os.path.dirname(source) if source else ""
    for key, value in _d(f.get("mediaInfo")).items():  # lists joined with " / " as Sonarr does
        joined = _plain(value, " / ") if isinstance(value, list) else value
        env[f"{prefix}_mediainfo_{key.lower()}"] = joined
    cf = _d(p.get("customFormatInfo"))
    env[f"{prefix}_customformat"] = _join(cf.get("customFormats"), "name", "|")
    env[f"{prefix}_customformatscore"] = cf.get("customFormatScore")
    return env


def script_environment(message: EventMessage) -> dict[str, str]:
    """The ``idkarr_*`` variables for one event (only the event's: no base environment)."""
    event = message.event_type
    _check_event_type(event)
    p = _d(message.payload)
    env: dict[str, Any] = {
        "idkarr_eventtype": EVENT_NAMES[event],
        "idkarr_instancename": message.instance_name,
        "idkarr_applicationurl": message.application_url,
    }
    series, movie, episodes = _d(p.get("series")), _d(p.get("movie")), p.get("episodes")
    if event != "manual_test":  # Sonarr's test run carries the three above only
        if series:
            env.update(_library("idkarr_series", series, _SERIES_KEYS))
        if movie:
            env.update(_library("idkarr_movie", movie, _MOVIE_KEYS))
            env["idkarr_movie_path"] = movie.get("path") or movie.get("folderPath")
    file_prefix = "idkarr_episodefile" if series else "idkarr_moviefile"
    file = _d(p.get("episodeFile")) if series else _d(p.get("movieFile"))
    if event == "grab":
        release = _d(p.get("release"))
        if series:
            env.update(_episodes("idkarr_release", episodes))
        env.update(_pick("idkarr_release", release, _RELEASE_KEYS))
        env["idkarr_release_customformat"] = _plain(release.get("customFormats"))
        env.update(_pick("idkarr_download", p, _DOWNLOAD_KEYS))
    elif event in ("download", "upgrade"):
        env["idkarr_isupgrade"] = event == "upgrade"
        env.update(_file(file_prefix, file, p))
        if series:
            env.update(_episodes(file_prefix, episodes))
            env["idkarr_episodefile_episodeids"] = _join(episodes, "id", ",")
            # the seed spells it with one "n": both spellings are set
            env["idkarr_episodefile_seasonumber"] = env["idkarr_episodefile_seasonnumber"]
        env.update(_pick("idkarr_download", p, _DOWNLOAD_KEYS))
        release = _d(p.get("release"))
        env.update(_pick("idkarr_release", release, "indexer size releaseType title=releaseTitle"))
        if event == "upgrade" and _rows(p.get("deletedFiles")):
            env.update(_lists("idkarr", p["deletedFiles"], _DELETED_SPEC))
    elif event == "rename":
        files = p.get("renamedEpisodeFiles") if series else p.get("renamedMovieFiles")
        env.update(_lists(file_prefix, files, _RENAMED_SPEC))
    elif event in ("series_delete", "movie_delete"):
        env[f"idkarr_{'series' if series else 'movie'}_deletedfiles"] = bool(p.get("deletedFiles"))
    elif event in ("episode_file_delete", "movie_file_delete"):
        env.update(_file(file_prefix, file, p))
        if series:
            env.update(_episodes(file_prefix, episodes))
        env[f"{file_prefix}_deletereason"] = p.get("deleteReason")
    elif event in ("health_issue", "health_restored"):
        prefix = "idkarr_health_" + event.split("_")[1]
        env.update(_pick(prefix, p, "level message type wiki=wikiUrl"))
    elif event == "app_update":
        env.update(_pick("idkarr_update", p, "message newVersion previousVersion"))
    # NUL can't be passed to exec; one value is capped by the kernel: truncate, never fail.
    return {k: truncate(_str(v).replace("\x00", ""), VALUE_LIMIT) for k, v in env.items()}


def base_environment() -> dict[str, str]:
    """PATH, HOME and LANG only: idkarr's own environment (secrets) is never passed on."""
    home, lang = os.environ.get("HOME") or "/", os.environ.get("LANG") or "C.UTF-8"
    return {"PATH": SAFE_PATH, "HOME": home, "LANG": lang}


# -- running ------------------------------------------------------------------------
class _Capture:
    """The first and last ``limit/2`` bytes of a stream."""

    def __init__(self, limit: int = OUTPUT_LIMIT):
        self.half, self.head, self.tail, self.total = limit // 2, bytearray(), bytearray(), 0

    def add(self, chunk: bytes) -> None:
        self.total += len(chunk)
        room = self.half - len(self.head)
        self.head += chunk[:room]
        self.tail = (self.tail + chunk[max(room, 0) :])[-self.half :]

    def text(self) -> str:
        omitted = self.total - len(self.head) - len(self.tail)
        middle = f"\n… [{omitted} bytes omitted] …\n".encode() if omitted > 0 else b""
        return bytes(self.head + middle + self.tail).decode("utf-8", errors="replace")


def _stop_group(proc: subprocess.Popen) -> None:
    """SIGTERM the whole process group, SIGKILL what is left after the grace period."""
    pgid = proc.pid  # start_new_session: the script leads its own group
    with suppress(ProcessLookupError):  # raised as soon as the group is empty
        os.killpg(pgid, signal.SIGTERM)
        deadline = time.monotonic() + KILL_GRACE_SECONDS
        while time.monotonic() < deadline:
            proc.poll()  # reap the leader, or its zombie keeps the group "alive"
            os.killpg(pgid, 0)
            time.sleep(0.05)
        os.killpg(pgid, signal.SIGKILL)


def run_script(argv: list[str], env: dict[str, str], cwd: Path, timeout: float) -> dict:
    """Run ``argv`` (no shell) and return exit code, output and timing. ``exit_code`` is
    None when the timeout stopped it; raises ConfigurationError when it cannot start."""
    started = time.monotonic()
    try:
        proc = subprocess.Popen(  # noqa: S603  (argv from a checked path, never a shell)
            argv, cwd=cwd, env=env, stdin=DEVNULL, stdout=PIPE, stderr=PIPE, **_POPEN
        )
    except OSError as exc:
        raise ConfigurationError(f"Script {argv[0]} cannot be started: {exc.strerror}") from None
    out, err = _Capture(), _Capture()
    deadline = started + timeout
    code, leftovers = None, True
    with proc, selectors.DefaultSelector() as sel:  # closes the pipes, reaps the script
        try:
            sel.register(proc.stdout, selectors.EVENT_READ, out)
            sel.register(proc.stderr, selectors.EVENT_READ, err)
            while sel.get_map() and (remaining := deadline - time.monotonic()) > 0:
                for key, _ in sel.select(remaining):
                    chunk = os.read(key.fd, 65536)
                    key.data.add(chunk) if chunk else sel.unregister(key.fileobj)
            with suppress(subprocess.TimeoutExpired):
                code = proc.wait(max(0.0, deadline - time.monotonic()))
            leftovers = bool(sel.get_map())  # children still holding our pipes at the deadline
        finally:  # also on an unexpected error: never leave the script running
            if code is None or leftovers:
                _stop_group(proc)
    return {
        "exit_code": code,
        "stdout": out.text(),
        "stderr": err.text(),
        "duration_ms": int((time.monotonic() - started) * 1000),
        **({"stopped_leftover_processes": True} if code is not None and leftovers else {}),
    }


class CustomScript(Notifier):
    kind = "customscript"
    label = "Custom Script"
    version = "1.0"
    admin_only = True  # runs local programs: only admins may configure it
    Settings = CustomScriptSettings

    settings: CustomScriptSettings

    def _prepare(self) -> tuple[list[str], Path]:
        script = resolve_inside(self.settings.path, what="Script")
        wd = self.settings.working_directory
        cwd = resolve_inside(wd, what="Working directory", directory=True) if wd else script.parent
        return [str(script), *shlex.split(self.settings.arguments)], cwd

    def send(self, message: EventMessage) -> dict[str, Any]:
        """Run the script for one event. Returns exit code, stdout, stderr and duration.
        Non-zero exit and a timeout are permanent errors: scripts are rarely idempotent
        and a hung one would hold a worker for ``timeout`` on every retry."""
        try:
            env = {**base_environment(), **script_environment(message)}
        except ValueError as exc:
            raise IntegrationError(str(exc)) from None
        argv, cwd = self._prepare()  # checked again: the file may have changed since saving
        details = run_script(argv, env, cwd, self.settings.timeout_seconds)
        details["script"] = self.settings.path
        code = details["exit_code"]
        output = excerpt(details["stderr"].strip() or details["stdout"].strip(), 300)
        output = f": {output}" if output else ""
        if code is None:
            s = self.settings
            what = f"Script {s.path} did not finish within {s.timeout_seconds} s"
            message = f"{what} and was stopped with its child processes{output}"
            raise RequestTimedOut(message, permanent=True, details=details)
        if code < 0:
            name = signal.Signals(-code).name if -code in signal.valid_signals() else -code
            raise IntegrationError(f"Script was killed by signal {name}{output}", details=details)
        if code != 0:
            raise IntegrationError(f"Script exited with code {code}{output}", details=details)
        return details

    def health(self) -> Health:
        """Passive: the script is still inside the scripts directory and executable (not run)."""
        now = datetime.now(UTC)
        try:
            self._prepare()
        except (ConfigurationError, ValueError) as exc:
            return Health(UNHEALTHY, None, now, str(exc))
        return Health(HEALTHY, None, now, f"{self.settings.path} is executable (not run)")
