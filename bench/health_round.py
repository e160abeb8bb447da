"""Health round of 200 registered qBittorrent integrations against local stubs, of
which 10% accept the connection and never answer (1 s read timeout).

Prints one dispatcher round's wall time against the timeout. Goal ≤ 1.5×.
"""

from __future__ import annotations

from common import StubProcess, django_in_tempdir, timed

TOTAL, HANGING, TIMEOUT = 200, 20, 1.0


def main() -> None:
    django_in_tempdir()
    from integrations import health
    from integrations.downloadclients.models import DownloadClient
    from integrations.manager import manager

    ok, dead = StubProcess(), StubProcess(hang=True)
    try:
        for i in range(TOTAL):
            port = dead.port if i % (TOTAL // HANGING) == 0 else ok.port
            manager.register(
                "download_client",
                name=f"qbit-{i:03d}",
                kind="qbittorrent",
                settings={
                    "host": "127.0.0.1",
                    "port": port,
                    "username": "u",
                    "password": "p",
                    "timeout_seconds": TIMEOUT,
                },
                test=False,
            )

        def round_():
            DownloadClient.objects.update(next_check_at=None)
            checked = health.dispatch_due()
            assert checked == TOTAL, checked

        cold = timed(round_)  # every provider logs in and runs its full test
        wall = timed(round_, repeat=3)  # steady state: sessions reused, light checks
        statuses = dict.fromkeys(("healthy", "unhealthy"), 0)
        for status in DownloadClient.objects.values_list("health", flat=True):
            statuses[status] = statuses.get(status, 0) + 1
        print(
            f"health round: {TOTAL} integrations ({HANGING} never answer), timeout {TIMEOUT:.1f} s"
        )
        print(f"  first round (cold: logins + full tests): {cold:.3f} s = {cold / TIMEOUT:.2f}x")
        print(f"  steady-state round (best of 3): {wall:.3f} s   statuses: {statuses}")
        print(f"health round / timeout ratio: {wall / TIMEOUT:.2f}x  (goal <= 1.5x)")
    finally:
        ok.close()
        dead.close()


if __name__ == "__main__":
    main()
