"""Public pages while the ANSM list is imported: p50/p95 of GET /public during a 30,000-row import.

Serves a fresh SQLite store with `sentinelle serve` in its own process, logs in as the national agency,
uploads a 30,000-row availability list (distinct CIS codes: 30,000 new signals), and requests /public
one request at a time, anonymously, until the import is over. Baseline, same run: the same requests
with no import running. With `--baseline-src DIR`, the same is done with another checkout's code (for
the landed code, whose upload ran the import itself, in the server's event loop).

    .venv/bin/python bench/import_latency.py --rows 30000
    git worktree add /tmp/old 6002273 && .venv/bin/python bench/import_latency.py --baseline-src /tmp/old/src
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROW = "{cis}\t\t2\tTension d'approvisionnement\t07/01/2026\t19/01/2026\t\thttps://ansm.sante.fr/p/medicament-{cis}\n"
PASSWORD = "seringue-bleue-lyon"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(src: Path | None, var: Path, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "SENTINELLE_VAR_DIR": str(var), "SENTINELLE_TEST_CHEAP_HASH": "1"}
    env.pop("SENTINELLE_DATABASE_URL", None)
    if src is not None:
        env["PYTHONPATH"] = str(src)
    setup = ("from sentinelle.store.db import default_engine, upgrade, session_scope\n"
             "from sentinelle.catalogue.service import create_organisation\n"
             "from sentinelle.accounts.service import create_user\n"
             "upgrade(default_engine())\n"
             "with session_scope(default_engine()) as s:\n"
             "    o = create_organisation(s, None, kind='national', name='ANSM')\n"
             f"    create_user(s, None, email='ansm@bench.fr', name='ANSM', password='{PASSWORD}', role='national',"
             " organisation_id=o.id)\n")
    subprocess.run([sys.executable, "-c", setup], env=env, check=True)
    return subprocess.Popen([sys.executable, "-m", "sentinelle.cli", "serve", "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def wait_up(base: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/public", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit("the server did not start")


def timings(base: str, *, until: callable | None = None, count: int = 200) -> list[float]:  # type: ignore[valid-type]
    out: list[float] = []
    with httpx.Client(timeout=120) as c:
        while (until is None and len(out) < count) or (until is not None and not until()):
            t = time.perf_counter()
            assert c.get(f"{base}/public").status_code == 200
            out.append((time.perf_counter() - t) * 1000)
    return out


def p(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] if len(values) >= 2 else values[0]


def run(src: Path | None, rows: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        var = Path(tmp)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = serve(src, var, port)
        try:
            wait_up(base)
            quiet = timings(base, count=200)
            listing = var / "liste.txt"
            listing.write_text("".join(ROW.format(cis=60000000 + i) for i in range(rows)), encoding="utf-8")
            agent = httpx.Client(base_url=base, timeout=600)
            token = re.search(r'name="csrf_token" value="([^"]+)"', agent.get("/connexion").text).group(1)  # type: ignore[union-attr]
            agent.post("/connexion", data={"email": "ansm@bench.fr", "password": PASSWORD, "csrf_token": token})
            token = re.search(r'name="csrf_token" value="([^"]+)"', agent.get("/import").text).group(1)  # type: ignore[union-attr]
            import threading

            finished = threading.Event()
            started = time.perf_counter()
            result: dict[str, object] = {}

            def upload() -> None:
                r = agent.post("/import", data={"csrf_token": token},
                               files={"file": ("liste.txt", listing.read_bytes())}, follow_redirects=False)
                result["upload_ms"] = (time.perf_counter() - started) * 1000
                location = r.headers.get("location")
                if location:  # a job: preview, then apply, each followed to its end
                    for step in ("preview", "apply"):
                        while "Terminé" not in (page := agent.get(location).text) and "Échec" not in page:
                            time.sleep(0.2)
                        if step == "preview":
                            csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
                            location = agent.post(f"{location}/appliquer", data={"csrf_token": csrf},
                                                  follow_redirects=False).headers["location"]
                result["import_s"] = time.perf_counter() - started
                finished.set()

            worker = threading.Thread(target=upload)
            worker.start()
            during = timings(base, until=finished.is_set)
            worker.join()
            return {"quiet": quiet, "during": during, **result}
        finally:
            server.terminate()
            server.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=30_000)
    parser.add_argument("--baseline-src", type=Path, help="another checkout's src/ folder, run the same way")
    args = parser.parse_args()
    print(f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; {args.rows} rows")
    runs = [("this code", None)] + ([("baseline code", args.baseline_src)] if args.baseline_src else [])
    print("| code | /public without import: p50 / p95 (ms) | during the import: p50 / p95 / max (ms) | "
          "requests during | upload answered (ms) | import done (s) |")
    print("|---|---|---|---|---|---|")
    for label, src in runs:
        r = run(src, args.rows)
        quiet, during = r["quiet"], r["during"]
        assert isinstance(quiet, list) and isinstance(during, list)
        print(f"| {label} | {p(quiet, 50):.1f} / {p(quiet, 95):.1f} | {p(during, 50):.1f} / {p(during, 95):.1f} / "
              f"{max(during):.0f} | {len(during)} | {r.get('upload_ms', 0):.0f} | {r.get('import_s', 0):.1f} |")


if __name__ == "__main__":
    main()
