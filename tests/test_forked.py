"""Sharing work out to forked processes (compliance/read/forked.py): results come back whole,
and a child that fails only costs time.

The sharing only happens in a single-threaded process, and a test session may not be one (pytest
plugins, xdist), so the cases run in a fresh interpreter."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

from compliance.read.forked import map_shares

ROOT = Path(__file__).resolve().parents[1]

SCRIPT = r"""
import json, os, sys, threading
from compliance.read.forked import map_shares

def here(share):
    return {x: ["here", os.getpid()] for x in share}

def crash(share):
    raise RuntimeError("boom")

def killed(share):
    os._exit(9)

def garbage(share):
    return ["not", "a", "dict"]

def child(share):
    return {x: ["child", os.getpid()] for x in share}

def segfault(share):
    import signal
    os.kill(os.getpid(), signal.SIGSEGV)

def lost(share, signal):
    return {x: ["lost", signal] for x in share}

out = {"threads": threading.active_count()}
for name, fn in (("child", child), ("crash", crash), ("killed", killed), ("garbage", garbage)):
    out[name] = map_shares(range(10), 3, here=here, child=fn)
out["segfault"] = map_shares(range(10), 3, here=here, child=segfault, lost=lost)
out["isolated"] = map_shares(range(10), 2, here=here, child=child, isolate=True)
out["isolated_one"] = map_shares([7], 1, here=here, child=segfault, lost=lost, isolate=True)
out["parent"] = os.getpid()

def slow(share):
    import time
    time.sleep(60)
    return {}

def interrupted(share):
    raise KeyboardInterrupt
try:
    map_shares(range(10), 3, here=interrupted, child=slow)
except KeyboardInterrupt:
    out["orphans"] = len([p for p in os.listdir("/proc") if p.isdigit()
                          and open(f"/proc/{p}/stat").read().split()[3] == str(os.getpid())])
import signal
def alarm(signum, frame):
    raise TimeoutError
signal.signal(signal.SIGALRM, alarm)
signal.setitimer(signal.ITIMER_REAL, 0.5)
try:
    map_shares(range(4), 1, here=here, child=slow, isolate=True)       # waiting on a stuck child
except TimeoutError:
    out["orphans_after_alarm"] = len([p for p in os.listdir("/proc") if p.isdigit()
                                      and open(f"/proc/{p}/stat").read().split()[3] == str(os.getpid())])
print(json.dumps(out))
"""


def _run() -> dict:
    proc = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_every_item_comes_back_and_the_shares_ran_elsewhere():
    result = _run()
    assert result["threads"] == 1
    out = {int(k): v for k, v in result["child"].items()}
    assert sorted(out) == list(range(10))
    assert len({pid for _, pid in out.values()}) == 3                      # this process and two children
    assert {x for x, (where, _) in out.items() if where == "here"} == {0, 3, 6, 9}
    assert {x for x, (where, _) in out.items() if where == "child"} == {1, 2, 4, 5, 7, 8}


def test_a_failing_child_is_redone_here():
    result = _run()
    for case in ("crash", "killed", "garbage"):
        out = result[case]
        assert sorted(int(k) for k in out) == list(range(10)), case
        assert {where for where, _ in out.values()} == {"here"}, case


def test_a_child_that_crashed_is_not_redone_here_where_it_would_crash_again():
    out = _run()["segfault"]
    assert sorted(int(k) for k in out) == list(range(10))
    assert {x for x, (where, _) in out.items() if where == "lost"} == {"1", "2", "4", "5", "7", "8"}
    assert {sig for where, sig in out.values() if where == "lost"} == {11}


def test_isolated_work_runs_only_in_children_so_a_crash_costs_only_its_share():
    result = _run()
    isolated = {int(k): v for k, v in result["isolated"].items()}
    assert sorted(isolated) == list(range(10))
    assert {where for where, _ in isolated.values()} == {"child"}
    assert result["parent"] not in {pid for _, pid in isolated.values()}
    assert result["isolated_one"] == {"7": ["lost", 11]}      # even one item, even one core


def test_an_interruption_here_stops_the_children():
    result = _run()
    assert result["orphans"] == 0
    assert result["orphans_after_alarm"] == 0          # the time limit reaches a child stuck in native code


def test_no_fork_in_a_process_with_other_threads():
    stop = threading.Event()
    worker = threading.Thread(target=stop.wait)
    worker.start()
    try:
        out = map_shares(range(6), 2, here=lambda s: {x: "here" for x in s}, child=lambda s: {x: "child" for x in s})
    finally:
        stop.set()
        worker.join()
    assert set(out.values()) == {"here"} and sorted(out) == list(range(6))
