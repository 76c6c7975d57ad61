"""`make run` (run.py over the Procfile): the address it prints is the port the site really answers on, and Ctrl+C
stops the web, the worker and the scheduler before Redis, without a traceback, exiting 130."""

import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from otklik.embedded_redis import free_port

ROOT = Path(__file__).resolve().parents[1]


def test_run_prints_its_real_address_and_stops_in_order(app, tmp_path):
    port, redis_port, mail_port = free_port(), free_port(), free_port()
    env = {**os.environ, "PORT": str(port), "OTKLIK_EMBEDDED_REDIS_PORT": str(redis_port),
           "OTKLIK_MAIL_PORT": str(mail_port),
           "OTKLIK_INSTANCE_DIR": str(tmp_path / "instance"),
           "OTKLIK_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"]}  # migrated by the test app
    env.pop("OTKLIK_REDIS_URL", None)  # run.py points every process at the Redis it starts
    proc = subprocess.Popen([sys.executable, "run.py"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    lines = []
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
            if "Otklik is running at" in line:
                break
        address = re.search(r"Otklik is running at (http://127\.0\.0\.1:(\d+)/)", "".join(lines))
        assert address, "no address printed:\n" + "".join(lines)
        assert int(address.group(2)) == port
        with urllib.request.urlopen(address.group(1) + "login", timeout=90) as response:
            assert response.status == 200
        # the worker and the scheduler are up (they print once connected to Redis) before the stop
        while not ("rq.worker" in "".join(lines) and "rq.cron" in "".join(lines)) and time.monotonic() < deadline:
            lines.append(proc.stdout.readline())
        os.killpg(proc.pid, signal.SIGINT)  # what the terminal sends to its foreground group on Ctrl+C
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    output = "".join(lines) + out
    assert proc.returncode == 130, output
    assert "Traceback" not in output + err, output + err
    assert err == ""
    stopped = [m.group(1) for m in re.finditer(r"^run\s+\| (\w+) stopped$", output, re.M)]
    assert sorted(stopped[:4]) == ["mail", "scheduler", "web", "worker"] and stopped[4:] == ["redis"], output
    assert f"mail catcher on 127.0.0.1:{mail_port}" in output, output


def test_run_refuses_a_taken_port_instead_of_printing_another_programs_address(tmp_path):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {**os.environ, "PORT": str(port), "OTKLIK_EMBEDDED_REDIS_PORT": str(free_port()),
               "OTKLIK_INSTANCE_DIR": str(tmp_path / "instance")}
        done = subprocess.run([sys.executable, "run.py"], cwd=ROOT, env=env, capture_output=True, text=True,
                              timeout=60)
    assert done.returncode == 1
    assert f"port {port} (web) is taken by another program" in done.stdout
    assert "Otklik is running" not in done.stdout and "started" not in done.stdout
