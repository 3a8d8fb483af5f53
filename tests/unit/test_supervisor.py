"""The local runner's supervisor restarts what exits, backs off, and stops everything."""

import io
import signal
import sys
import time

import pytest

from deploy import supervisor as sv
from tests.polling import wait_for

SLEEPER = [sys.executable, "-c", "import time; time.sleep(120)"]
# Exits 0 at SIGTERM only after a pause, as a draining service does.
DRAINER = [
    sys.executable,
    "-c",
    """
import signal, sys, time
signal.signal(signal.SIGTERM, lambda *_: (time.sleep(0.5), sys.exit(0)))
print("ready", flush=True)
time.sleep(120)
""",
]


@pytest.fixture
def lines():
    return []


@pytest.fixture
def supervisor(tmp_path, lines):
    running = sv.Supervisor(tmp_path, say=lines.append)
    yield running
    running.stop(timeout=5)


def test_a_killed_process_is_restarted_and_reported(supervisor, lines):
    supervisor.add("worker.1", SLEEPER, {})
    supervisor.add("worker.2", SLEEPER, {})
    supervisor.start()
    first = supervisor.signal("worker.1", signal.SIGKILL)
    wait_for(lambda: any(line.startswith("worker.1 restarted") for line in lines))
    assert supervisor.pid("worker.1") != first and supervisor.processes["worker.1"].running()
    assert supervisor.restarts("worker.1") == 1 and supervisor.restarts("worker.2") == 0
    assert any(f"worker.1 (pid {first}) exited with signal SIGKILL" in line for line in lines), lines


def test_a_crashing_process_backs_off_more_each_time(supervisor, lines):
    supervisor.add("crasher.1", [sys.executable, "-c", "raise SystemExit(3)"], {})
    supervisor.start()
    wait_for(lambda: supervisor.restarts("crasher.1") >= 3, timeout=20)
    delays = [float(line.rsplit("restarting in ", 1)[1].rstrip("s")) for line in lines if "restarting in" in line]
    assert delays[:3] == [0.5, 1.0, 2.0], lines
    assert "exited with code 3" in lines[0]


def test_stop_lets_processes_drain_then_ends_them(tmp_path, lines):
    running = sv.Supervisor(tmp_path, say=lines.append)
    log = tmp_path / "drainer.log"
    running.add("drainer.1", DRAINER, {}, log_path=log)
    running.start()
    wait_for(lambda: "ready" in log.read_text())
    process = running.processes["drainer.1"]
    started = time.monotonic()
    running.stop(timeout=10)
    assert process.proc.returncode == 0  # it drained instead of being killed
    assert time.monotonic() - started < 5
    assert not any("restart" in line for line in lines)


def test_output_without_a_log_file_is_prefixed_with_the_process_name(tmp_path):
    out = io.StringIO()
    running = sv.Supervisor(tmp_path, output=out)
    running.add("echo.1", [sys.executable, "-c", "print('hello')"], {})
    running.start()
    wait_for(lambda: "| hello" in out.getvalue())
    running.stop(timeout=5)
    assert any(line.split()[1] == "echo.1" and line.endswith("| hello") for line in out.getvalue().splitlines())
