"""The local runner's process supervisor: what an orchestrator does, on one machine.

It starts named processes (one per replica, e.g. `applications.2`), restarts any
that exits while it runs, with exponential back-off that resets once a process
has stayed up a while, and says so in one line each time. `stop()` sends SIGTERM
to every process, gives them time to drain (run_service finishes or requeues its
in-flight work within 10 s) and SIGKILLs what is left.

`make up` (deploy/up.py) and `deploy.system.LocalSystem` (tests, benchmarks) both
run their processes through it, so every test run exercises it.
"""

import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

BACKOFF_FIRST = 0.5
BACKOFF_MAX = 30.0
#: A process that stayed up this long starts its back-off afresh after its next exit.
STABLE_SECONDS = 30.0
#: run_service drains within 10 s; the rest is slack for a loaded machine.
STOP_TIMEOUT = 15.0
POLL_SECONDS = 0.1


def describe_exit(code):
    if code < 0:
        try:
            return f"signal {signal.Signals(-code).name}"
        except ValueError:
            return f"signal {-code}"
    return f"code {code}"


@dataclass
class Process:
    name: str
    command: list
    env: dict
    log_path: Path | None = None
    proc: subprocess.Popen | None = None
    started_at: float = 0.0
    restarts: int = 0
    backoff: float = BACKOFF_FIRST
    restart_at: float | None = None
    pids: list = field(default_factory=list)

    @property
    def pid(self):
        return self.proc.pid if self.proc is not None else None

    def running(self):
        return self.proc is not None and self.proc.poll() is None


class Supervisor:
    """Processes added with `add()` run from `start()` until `stop()`, restarted whenever they exit.

    Output goes to each process's `log_path` (appended across restarts) or, without one,
    to `output` line by line, prefixed with the process's name as `make up` shows it.
    `say(line)` reports starts, exits and restarts.
    """

    def __init__(self, cwd, say=None, output=None):
        self.cwd = str(cwd)
        self.output = output or sys.stdout
        self.say = say or (lambda line: self._write("supervisor", line))
        self.processes = {}
        self.stopping = False
        self._lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._monitor = None

    def add(self, name, command, env, log_path=None):
        if name in self.processes:
            raise ValueError(f"process {name} added twice")
        self.processes[name] = Process(name, list(command), dict(env), Path(log_path) if log_path else None)
        if self._monitor is not None:
            with self._lock:
                self._spawn(self.processes[name])

    def start(self):
        with self._lock:
            for process in self.processes.values():
                if process.proc is None:
                    self._spawn(process)
        self._monitor = threading.Thread(target=self._watch, name="supervisor", daemon=True)
        self._monitor.start()
        return self

    def pid(self, name):
        return self.processes[name].pid

    def signal(self, name, signum):
        """Send `signum` to process `name` (as a crash or an orchestrator would); returns its pid."""
        process = self.processes[name]
        pid = process.pid
        if process.running():
            os.kill(pid, signum)
        return pid

    def restarts(self, name):
        return self.processes[name].restarts

    def stop(self, timeout=STOP_TIMEOUT):
        """SIGTERM everything, wait up to `timeout` s for the processes to drain, SIGKILL the rest."""
        with self._lock:
            self.stopping = True
        if self._monitor is not None:
            self._monitor.join()
        running = [p for p in self.processes.values() if p.running()]
        for process in running:
            process.proc.terminate()
        deadline = time.monotonic() + timeout
        for process in running:
            try:
                process.proc.wait(max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                self.say(f"{process.name} did not stop within {timeout:.0f}s; killing it")
                process.proc.kill()
                process.proc.wait()

    def _spawn(self, process):
        if process.log_path is not None:
            out = open(process.log_path, "ab")  # noqa: SIM115  (closed below, once the child holds it)
        else:
            out = subprocess.PIPE
        try:
            process.proc = subprocess.Popen(
                process.command,
                cwd=self.cwd,
                env=process.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        finally:
            if out is not subprocess.PIPE:
                out.close()
        process.started_at = time.monotonic()
        process.restart_at = None
        process.pids.append(process.proc.pid)
        if out is subprocess.PIPE:
            threading.Thread(target=self._pump, args=(process.name, process.proc.stdout), daemon=True).start()

    def _watch(self):
        while True:
            with self._lock:
                if self.stopping:
                    return
                now = time.monotonic()
                for process in self.processes.values():
                    if process.restart_at is not None:
                        if now >= process.restart_at:
                            process.restarts += 1
                            self._spawn(process)
                            self.say(f"{process.name} restarted (pid {process.pid}, restart {process.restarts})")
                    elif process.proc is not None and process.proc.poll() is not None:
                        self._schedule_restart(process, now)
            time.sleep(POLL_SECONDS)

    def _schedule_restart(self, process, now):
        uptime = now - process.started_at
        if uptime >= STABLE_SECONDS:
            process.backoff = BACKOFF_FIRST
        delay = process.backoff
        process.backoff = min(process.backoff * 2, BACKOFF_MAX)
        process.restart_at = now + delay
        self.say(
            f"{process.name} (pid {process.pid}) exited with {describe_exit(process.proc.returncode)} "
            f"after {uptime:.1f}s; restarting in {delay:.1f}s"
        )

    def _pump(self, name, stream):
        for raw in iter(stream.readline, b""):
            self._write(name, raw.decode("utf-8", errors="replace").rstrip("\n"))
        stream.close()

    def _write(self, name, line):
        with self._write_lock:
            self.output.write(f"{time.strftime('%H:%M:%S')} {name:<16} | {line}\n")
            self.output.flush()
