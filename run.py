"""`make run`: the Procfile's processes on one machine, started and stopped in order.

    python run.py                 # every process of the Procfile; the site on $PORT (default 5000)

Redis starts first and is waited for; then the web, the worker and the scheduler. The address printed is the
one the web process really listens on (its Procfile line binds ${PORT:-5000}). Ctrl+C stops the web, the worker
and the scheduler first (SIGTERM: gunicorn and RQ stop gracefully, a job in progress is finished) and Redis last,
so nothing loses its Redis connection while it shuts down; then it exits with 130 (143 after SIGTERM, 1 when a
process stopped by itself).

Why not honcho: it sends SIGTERM to every process at once, so Redis went before the worker and the scheduler
could unregister (tracebacks), and it gives each process type its own PORT (base + 100 per line). Each process
runs in its own session: the terminal's Ctrl+C reaches this script only, which then stops them in order.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
LAST = ("redis",)
"""Process types stopped after all the others (everything else talks to them)."""
GRACE = 20
"""Seconds a process has to stop after SIGTERM before it is killed (a worker finishes its current job)."""


def read_procfile(path: Path) -> dict[str, str]:
    processes = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^([A-Za-z0-9_-]+):\s*(.+)$", line.strip())
        if match:
            processes[match.group(1)] = match.group(2)
    return processes


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.3):
            return True
    except OSError:
        return False


class Runner:
    def __init__(self, processes: dict[str, str], port: int, redis_port: int):
        self.processes, self.port, self.redis_port = processes, port, redis_port
        self.running: dict[str, subprocess.Popen] = {}
        self.width = max(len(name) for name in processes)
        self.stopping = None  # the signal that asked to stop, or "exit" when a process stopped by itself
        self.lock = threading.Lock()

    def say(self, name: str, text: str) -> None:
        with self.lock:
            sys.stdout.write(f"{name:<{self.width}} | {text}\n")
            sys.stdout.flush()

    def start(self, name: str) -> None:
        env = {"OTKLIK_REDIS_URL": f"redis://127.0.0.1:{self.redis_port}/0", **os.environ, "PORT": str(self.port),
               "OTKLIK_EMBEDDED_REDIS_PORT": str(self.redis_port), "PYTHONUNBUFFERED": "1"}
        proc = subprocess.Popen(["/bin/sh", "-c", f"exec {self.processes[name]}"], cwd=ROOT, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True, text=True, errors="replace")
        self.running[name] = proc
        self.say("run", f"{name} started (pid {proc.pid})")
        threading.Thread(target=self._relay, args=(name, proc), daemon=True).start()

    def _relay(self, name: str, proc: subprocess.Popen) -> None:
        for line in proc.stdout:
            self.say(name, line.rstrip("\n"))

    def wait_for(self, port: int, name: str, seconds: float) -> bool:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and not self.stopping:
            if _answers(port):
                return True
            if self.running[name].poll() is not None:
                return False
            time.sleep(0.1)
        return False

    def stop(self, names: list[str]) -> None:
        """SIGTERM to each process group, then wait for all of them (SIGKILL after GRACE seconds)."""
        alive = [n for n in names if n in self.running and self.running[n].poll() is None]
        for name in alive:
            self.say("run", f"stopping {name}")
            try:
                os.killpg(self.running[name].pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + GRACE
        for name in alive:
            proc = self.running[name]
            try:
                proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.say("run", f"{name} did not stop in {GRACE} s: killed")
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                proc.wait()
            self.say("run", f"{name} stopped")

    def run(self) -> int:
        taken = [(name, port) for name, port in (("web", self.port), ("redis", self.redis_port))
                 if name in self.processes and _answers(port)]
        if taken:  # else the address printed would be another program's
            for name, port in taken:
                variable = "PORT" if name == "web" else "OTKLIK_EMBEDDED_REDIS_PORT"
                self.say("run", f"port {port} ({name}) is taken by another program: stop it, or choose another "
                                f"one ({variable}=..., e.g. make run PORT=5050)")
            return 1
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, self._on_signal)
        first = [n for n in self.processes if n in LAST]
        rest = [n for n in self.processes if n not in LAST]
        for name in first:
            self.start(name)
        if "redis" in first and not self.wait_for(self.redis_port, "redis", 20):
            self.stopping = self.stopping or "exit"
        if not self.stopping:
            for name in rest:
                self.start(name)
            if "web" in rest and self.wait_for(self.port, "web", 60):
                self.say("run", f"Otklik is running at http://127.0.0.1:{self.port}/ (Ctrl+C stops everything)")
        while not self.stopping:
            if any(p.poll() is not None for p in self.running.values()):
                self.stopping = "exit"
                break
            time.sleep(0.2)
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, signal.SIG_IGN)  # a second Ctrl+C does not cut the orderly stop short
        self.stop(rest)
        self.stop(first)
        if self.stopping == "exit":
            return 1
        return 128 + self.stopping

    def _on_signal(self, signum, _frame) -> None:
        if not self.stopping:
            self.stopping = signum


def main() -> int:
    procfile = Path(os.environ.get("PROCFILE", ROOT / "Procfile"))
    port = int(os.environ.get("PORT", "5000"))
    redis_port = int(os.environ.get("OTKLIK_EMBEDDED_REDIS_PORT", "6380"))
    return Runner(read_procfile(procfile), port, redis_port).run()


if __name__ == "__main__":
    sys.exit(main())
