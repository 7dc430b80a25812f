"""A command as a whole process, measured: wall and CPU time, and peak memory sampled from /proc
(used by ``bench/run.py`` and by ``bench/workload.py`` for the rounds it consolidates)."""

from __future__ import annotations

import os
import subprocess
import tempfile
import threading
import time
from pathlib import Path


PYCACHE = Path(tempfile.gettempdir()) / "ctcong-xl-bench-pycache"


def child_env() -> dict[str, str]:
    """This tree on the path, and its modules' bytecode kept (outside the tree): an installed
    ctcong-xl runs from compiled bytecode, so a process that compiled every module again (as
    ``PYTHONDONTWRITEBYTECODE`` makes it) would measure the compiler, not the product."""
    root = str(Path(__file__).resolve().parent.parent)
    env = dict(os.environ)
    env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(PYCACHE)
    return env


def run_process(cmd: list[str], cwd: Path | None = None) -> dict[str, float]:
    """One whole process: ``wall`` seconds; ``cpu`` seconds (user + system, its waited-for
    workers included; on a loaded machine the steadier figure); ``rss`` the peak resident set
    (MB) of its largest single process; ``tree_rss`` the peak of the memory of the process and its
    workers together (proportional set size: pages a forked worker shares with its parent
    counted once); ``code``. Both memory figures are sampled from /proc every 50 ms, from the moment
    the command has exec'd (``ru_maxrss`` would include the benchmark's own memory, which Linux
    carries over into a child's high-water mark across exec)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=child_env(), cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    sampler = TreeSampler(proc.pid)
    sampler.start()
    err = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""  # never a full pipe
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - t0
    sampler.stop()
    proc.returncode = os.waitstatus_to_exitcode(status)
    proc.stderr and proc.stderr.close()
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err}")
    rss = sampler.peak_mb if sampler.sampled else usage.ru_maxrss / 1024
    return {"wall": elapsed, "cpu": usage.ru_utime + usage.ru_stime, "rss": rss,
            "tree_rss": max(sampler.tree_peak_mb, rss) if sampler.sampled else rss, "code": proc.returncode}


class TreeSampler(threading.Thread):
    """Peaks of a process tree's memory, read from /proc: the largest ``VmHWM`` (high-water
    resident set since exec) of any process, and the largest sum of ``Pss`` over the tree."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak_mb, self.tree_peak_mb, self.sampled = pid, 0.0, 0.0, False
        self._done = threading.Event()

    def run(self) -> None:
        if not Path(f"/proc/{self.pid}").exists():
            return
        while True:
            tree = self._tree(self.pid)
            hwm = [_kb(f"/proc/{p}/status", "VmHWM:") for p in tree]
            pss = sum(_kb(f"/proc/{p}/smaps_rollup", "Pss:") for p in tree)
            if any(hwm):
                self.sampled = True
                self.peak_mb = max(self.peak_mb, max(hwm) / 1024)
                self.tree_peak_mb = max(self.tree_peak_mb, pss / 1024)
            if self._done.wait(0.05):
                return

    def stop(self) -> None:
        self._done.set()
        self.join()

    def _tree(self, pid: int) -> list[int]:
        out, todo = [], [pid]
        while todo:
            p = todo.pop()
            out.append(p)
            try:
                for task in os.listdir(f"/proc/{p}/task"):
                    todo += map(int, Path(f"/proc/{p}/task/{task}/children").read_text().split())
            except OSError:
                continue
        return out


def _kb(path: str, key: str) -> int:
    """A ``key: N kB`` line of a /proc file (0 when the process is gone)."""
    try:
        with open(path, encoding="ascii") as fh:
            for line in fh:
                if line.startswith(key):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0
