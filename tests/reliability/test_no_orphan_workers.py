"""Issue #20 item 2: a build killed during disclosure control leaves no process behind.

The build runs in a session of its own (its own process group). As soon as its disclosure
workers exist, the build alone is killed with SIGKILL, as the kernel's out-of-memory killer
would. Then a reader of its output must reach end-of-file (no process still holds the pipe)
and no live process may remain in its process group.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fixtures.small_delivery import write_small_delivery


@pytest.fixture(scope="session")
def small_delivery(tmp_path_factory):
    return write_small_delivery(tmp_path_factory)


def processes(*, parent: int | None = None, group: int | None = None) -> list[int]:
    """Live (not zombie) processes with this parent or in this process group, from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # it ended while we looked
        state, ppid, pgrp = stat.rsplit(")", 1)[1].split()[:3]
        if state == "Z":
            continue
        if (parent is not None and int(ppid) == parent) or (
            group is not None and int(pgrp) == group
        ):
            found.append(int(entry.name))
    return found


def test_killed_build_leaves_no_worker_and_no_open_output(small_delivery, tmp_path) -> None:
    build = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "barometer",
            "build",
            "--registers",
            str(small_delivery),
            "--store",
            str(tmp_path / "store.duckdb"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        env={**os.environ, "BAROMETER_DISCLOSURE_WORKERS": "2"},
    )
    try:
        deadline = time.monotonic() + 180
        while len(processes(parent=build.pid)) < 2:  # the two disclosure workers
            assert build.poll() is None, "the build ended before disclosure control started"
            assert time.monotonic() < deadline, "no disclosure workers after 180 s"
            time.sleep(0.02)
        workers = processes(parent=build.pid)
        os.kill(build.pid, signal.SIGKILL)
        # Raises TimeoutExpired if anything still holds the build's output pipe.
        build.communicate(timeout=30)
        assert build.returncode == -signal.SIGKILL
        deadline = time.monotonic() + 10
        while processes(group=build.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert processes(group=build.pid) == []
        assert len(workers) >= 2
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(build.pid, signal.SIGKILL)  # leave nothing behind if the test failed
        build.stdout.close()
        build.wait()


WATCHDOG_ONLY = """
import os, sys, time, types
from barometer.disclosure import protection
protection.sys = types.SimpleNamespace(platform="no-prctl")  # leave only the polling thread
parent = os.getpid()
worker = os.fork()
if worker == 0:
    protection._follow_parent(parent)
    while True:
        time.sleep(1)
print(worker, flush=True)
time.sleep(120)
"""


def test_a_worker_without_prctl_still_ends_with_its_parent() -> None:
    """The fallback for systems without PR_SET_PDEATHSIG: the parent-watching thread."""
    helper = subprocess.Popen(
        [sys.executable, "-c", WATCHDOG_ONLY],
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        worker = int(helper.stdout.readline())
        assert worker in processes(parent=helper.pid)
        os.kill(helper.pid, signal.SIGKILL)
        helper.communicate(timeout=10)  # the worker held the pipe too: it has let go
        deadline = time.monotonic() + 5
        while processes(group=helper.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert processes(group=helper.pid) == []
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(helper.pid, signal.SIGKILL)
        helper.stdout.close()
        helper.wait()
