"""DSM Web API names and error codes (common, SYNO.API.Auth, the task APIs, File Station).

A code means something different per API (400 is "wrong password" on SYNO.API.Auth
but "file upload failed" on the task API), so errors are looked up by API first.
Tables follow Synology's Download Station / File Station Web API guides and Sonarr's
DiskStationError.
"""

from __future__ import annotations

from integrations.errors import (
    AuthenticationError,
    ConfigurationError,
    IntegrationError,
    NotFoundError,
    ServerError,
    UnsupportedError,
)

INFO, AUTH = "SYNO.API.Info", "SYNO.API.Auth"
TASK, TASK2 = "SYNO.DownloadStation.Task", "SYNO.DownloadStation2.Task"
DS_INFO, FS_LIST = "SYNO.DownloadStation.Info", "SYNO.FileStation.List"

_E = tuple[type[IntegrationError], str]
_TWO_STEP = (
    "use an account without 2-step verification for idkarr (or an app password if your DSM "
    "offers them)"
)
COMMON_ERRORS: dict[int, _E] = {
    100: (ServerError, "unknown error"),
    101: (IntegrationError, "invalid parameter"),
    102: (UnsupportedError, "the API does not exist; is Download Station installed and running?"),
    103: (UnsupportedError, "the method does not exist in this Download Station version"),
    104: (UnsupportedError, "this API version does not support the function"),
    105: (
        AuthenticationError,
        "the account may not use Download Station; allow it under DSM Control Panel > "
        "Application Privileges > Download Station",
    ),
    106: (AuthenticationError, "the session timed out"),
    107: (AuthenticationError, "the session was interrupted by a duplicate login"),
    119: (AuthenticationError, "the session id was not found"),
    120: (IntegrationError, "invalid or missing parameter"),
}
AUTH_ERRORS: dict[int, _E] = {
    400: (AuthenticationError, "no such account or wrong password"),
    401: (AuthenticationError, "the account is disabled (or it is DSM's disabled guest account)"),
    402: (
        AuthenticationError,
        "permission denied; allow the account to use Download Station (Control Panel > "
        "Application Privileges)",
    ),
    403: (AuthenticationError, f"the account has 2-step verification turned on; {_TWO_STEP}"),
    404: (AuthenticationError, f"the 2-step verification code failed; {_TWO_STEP}"),
    406: (AuthenticationError, f"DSM enforces 2-step verification for this account; {_TWO_STEP}"),
    407: (
        AuthenticationError,
        "DSM has blocked this IP address after failed logins; unblock it under Control Panel > "
        "Security > Protection (Auto Block)",
    ),
    408: (AuthenticationError, "the password has expired; log in to DSM once and change it"),
    409: (AuthenticationError, "the password has expired; log in to DSM once and change it"),
    410: (AuthenticationError, "the password must be changed; log in to DSM once and change it"),
}
TASK_ERRORS: dict[int, _E] = {
    400: (IntegrationError, "the file upload failed"),
    401: (
        IntegrationError,
        "the maximum number of tasks is reached; remove finished tasks in Download Station",
    ),
    402: (ConfigurationError, "the account may not write to the destination folder"),
    403: (
        ConfigurationError,
        "the destination folder does not exist; create it in File Station or change the "
        "destination (Download Station does not create folders)",
    ),
    404: (NotFoundError, "no such task (invalid task id)"),
    405: (IntegrationError, "the task cannot do that in its current state (invalid task action)"),
    406: (
        ConfigurationError,
        "there is no default destination; set one in Download Station > Settings > Location, "
        "or set the destination in idkarr",
    ),
    407: (
        ConfigurationError,
        "setting the destination failed; check that the folder exists and the account may "
        "write to it",
    ),
    408: (NotFoundError, "the file does not exist"),
}
FS_ERRORS: dict[int, _E] = {
    160: (AuthenticationError, "the account may not use File Station"),
    407: (AuthenticationError, "operation not permitted"),
    408: (NotFoundError, "no such file or directory"),
    418: (ConfigurationError, "illegal name or path"),
}
_API_ERRORS = {AUTH: AUTH_ERRORS, TASK: TASK_ERRORS, TASK2: TASK_ERRORS, FS_LIST: FS_ERRORS}
_TRANSIENT = {(TASK, 401), (TASK2, 401)}


def api_error(api: str, code: int, action: str) -> IntegrationError:
    """The error-tree exception for a DSM error ``code`` returned by ``api``."""
    cls, text = _API_ERRORS.get(api, {}).get(code) or COMMON_ERRORS.get(
        code, (IntegrationError, "unknown error")
    )
    transient = (api, code) in _TRANSIENT or cls is ServerError
    return cls(
        f"Download Station could not {action}: {text} (DSM error {code})",
        permanent=not transient,
        details={"synology_api": api, "synology_code": code},
    )
