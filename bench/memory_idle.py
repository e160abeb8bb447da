"""Resident memory of the embedded default (`make run`: runner + web + worker + beat)
idle with 20 integrations configured. Goal ≤ 160 MB in total.

Sums VmRSS over the whole process tree (shared pages are counted once per
process, so this overstates real use a little; PSS is printed too when readable).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from common import ROOT, StubProcess

IDLE_SECONDS = 25


def tree(pid: int) -> list[int]:
    out = [pid]
    for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
        out += tree(int(child))
    return out


def kb(pid: int, field: str, source: str = "status") -> int:
    try:
        for line in Path(f"/proc/{pid}/{source}").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0


def main() -> None:
    data = Path(tempfile.mkdtemp(prefix="idkarr-mem-"))
    port = "18765"
    env = {
        **os.environ,
        "IDKARR_DATA_DIR": str(data),
        "IDKARR_PORT": port,
        "IDKARR_ADMIN_PASSWORD": "bench-admin-pass",
        "IDKARR_SECRETS_KEY": "YmVuY2gta2V5LWJlbmNoLWtleS1iZW5jaC1rZXktMDA=",
        "IDKARR_LOG_LEVEL": "WARNING",
    }
    env.pop("IDKARR_REDIS_URL", None)
    env.pop("IDKARR_DATABASE_URL", None)
    py = sys.executable
    subprocess.run([py, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
    stub = StubProcess()
    seed = f"""
from integrations.manager import manager
for i in range(20):
    manager.register("download_client", name=f"qbit-{{i}}", kind="qbittorrent",
        settings={{"host": "127.0.0.1", "port": {stub.port}, "username": "u", "password": "p"}}, test=False)
"""
    subprocess.run([py, "manage.py", "shell", "-c", seed], cwd=ROOT, env=env, check=True)
    runner = subprocess.Popen(
        [py, "-m", "idkarr.run"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/admin/login/", timeout=1)
                break
            except OSError:
                time.sleep(0.5)
        time.sleep(IDLE_SECONDS)  # let beat run a few health rounds
        pids = tree(runner.pid)
        rss = {pid: kb(pid, "VmRSS") for pid in pids}
        pss = {pid: kb(pid, "Pss", "smaps_rollup") for pid in pids}
        names = {pid: Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[:4] for pid in pids}
        for pid in pids:
            label = " ".join(p.decode().rsplit("/", 1)[-1] for p in names[pid] if p)
            print(
                f"  pid {pid:>7}  rss {rss[pid] / 1024:6.1f} MB  pss {pss[pid] / 1024:6.1f} MB  {label[:70]}"
            )
        total_rss = sum(rss.values()) / 1024
        total_pss = sum(pss.values()) / 1024
        health = (
            subprocess.run(
                [
                    py,
                    "manage.py",
                    "shell",
                    "-c",
                    "from integrations.downloadclients.models import DownloadClient as D; import json; "
                    "print(json.dumps(list(D.objects.values_list('health', flat=True).distinct())))",
                ],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
            )
            .stdout.strip()
            .splitlines()[-1:]
        )
        health = health[0] if health else "[]"
        print(f"  integrations' health after {IDLE_SECONDS} s idle: {json.loads(health)}")
        print(
            f"idle memory (20 integrations): rss {total_rss:.0f} MB, pss {total_pss:.0f} MB "
            f"-> {total_pss / 160:.2f}x of the 160 MB goal (pss)"
        )
    finally:
        os.killpg(runner.pid, signal.SIGTERM)
        runner.wait(30)
        stub.close()


if __name__ == "__main__":
    main()
