"""Guarded workers: run one task per child process with memory and time limits, two at a time.

A file sent by an agency is untrusted input to native readers (python-calamine, lxml, zlib):
one of them may abort the process (SIGABRT), exhaust memory or loop. Each task therefore runs
in its own forked child, which

* gets an address-space limit (``RLIMIT_AS``: its size when forked plus ``memory_mb``) and a CPU
  limit, and dies with its parent (``PR_SET_PDEATHSIG`` on Linux);
* inherits everything the parent already holds (the master's dataset: nothing is pickled in),
  and sends back only its pickled result through a pipe;
* is killed when it runs longer than ``seconds`` of wall-clock time.

Whatever happens in the child — a return value, an exception, a signal, a limit — comes back as
an :class:`Outcome`, in the order of the tasks (deterministic whatever finishes first). Where
``fork`` does not exist (Windows, the Excel door) the tasks run in this process, one by one, and
only exceptions are caught.
"""

from __future__ import annotations

import ctypes
import faulthandler
import os
import pickle
import selectors
import signal
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar

try:
    import resource
except ImportError:  # Windows: no fork either, tasks run in this process
    resource = None  # type: ignore[assignment]

T = TypeVar("T")
R = TypeVar("R")

Failure = Literal["exception", "memory", "timeout", "signal"]
DEFAULT_WORKERS = 2
_PR_SET_PDEATHSIG = 1
_CHUNK = 1 << 16
_REAP_GRACE = 5.0  # seconds after a kill before a child is reaped without its pipe closing
# what a native library prints when an allocation fails before it aborts (Rust, C++)
_NATIVE_OOM = (b"memory allocation of", b"std::bad_alloc", b"out of memory")


@dataclass(frozen=True)
class ProcessLimits:
    memory_mb: int = 400  # address space a task may add to what the parent had when it forked
    seconds: float = 60.0  # wall-clock time of one task
    workers: int = DEFAULT_WORKERS


@dataclass
class Outcome(Generic[R]):
    value: R | None = None
    failure: Failure | None = None
    detail: str = ""  # the exception's type and text, or the signal's name
    peak_kb: int = 0  # the child's peak resident memory (0 in-process)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.failure is None


def can_fork() -> bool:
    return hasattr(os, "fork") and resource is not None and sys.platform != "win32"


def run_guarded(fn: Callable[[T], R], tasks: Sequence[T], limits: ProcessLimits = ProcessLimits(), *,
                started: Callable[[int], None] | None = None,
                finished: Callable[[int, Outcome[R]], None] | None = None) -> list[Outcome[R]]:
    """``fn(task)`` for each task, each guarded; outcomes in the order of ``tasks``.
    ``started(i)`` / ``finished(i, outcome)`` are called in this process as tasks start and end."""
    if not can_fork():
        return _run_in_process(fn, tasks, started, finished)
    return _Pool(fn, tasks, limits, started, finished).run()


def _run_in_process(fn, tasks, started, finished) -> list[Outcome]:
    outcomes = []
    for i, task in enumerate(tasks):
        if started:
            started(i)
        t0 = time.monotonic()
        try:
            outcome = Outcome(value=fn(task))
        except MemoryError:
            outcome = Outcome(failure="memory", detail="MemoryError")
        except Exception as exc:  # noqa: BLE001 - any failure of one task is that task's outcome
            outcome = Outcome(failure="exception", detail=_describe(exc))
        outcome.seconds = time.monotonic() - t0
        outcomes.append(outcome)
        if finished:
            finished(i, outcome)
    return outcomes


@dataclass
class _Running:
    index: int
    pid: int
    fd: int
    start: float
    data: bytearray
    errors: Any  # the child's stderr (a temporary file): tells a native out-of-memory abort
    killed: bool = False


class _Pool:
    def __init__(self, fn, tasks, limits: ProcessLimits, started, finished) -> None:
        self.fn, self.tasks, self.limits = fn, list(tasks), limits
        self.started, self.finished = started, finished
        self.outcomes: list[Outcome | None] = [None] * len(self.tasks)
        self.running: dict[int, _Running] = {}  # fd -> running child
        self.selector = selectors.DefaultSelector()

    def run(self) -> list[Outcome]:
        pending = list(range(len(self.tasks)))
        pending.reverse()
        try:
            while pending or self.running:
                while pending and len(self.running) < max(1, self.limits.workers):
                    self._start(pending.pop())
                self._step()
        finally:
            for r in list(self.running.values()):  # interrupted: no child outlives the run
                _kill(r.pid)
                os.waitpid(r.pid, 0)
                os.close(r.fd)
                r.errors.close()
            self.selector.close()
        return self.outcomes  # type: ignore[return-value]

    def _start(self, i: int) -> None:
        if self.started:
            self.started(i)
        sys.stdout.flush()
        sys.stderr.flush()
        base_vm = _vm_size()
        errors = tempfile.TemporaryFile()
        r_fd, w_fd = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: never returns
            os.close(r_fd)
            _child(self.fn, self.tasks[i], w_fd, errors.fileno(), base_vm, self.limits)
        os.close(w_fd)
        os.set_blocking(r_fd, False)
        run = _Running(index=i, pid=pid, fd=r_fd, start=time.monotonic(), data=bytearray(), errors=errors)
        self.running[r_fd] = run
        self.selector.register(r_fd, selectors.EVENT_READ)

    def _step(self) -> None:
        now = time.monotonic()
        deadline = min(r.start + self.limits.seconds for r in self.running.values())
        for key, _ in self.selector.select(timeout=max(0.0, min(deadline - now, 1.0))):
            run = self.running[key.fd]
            try:
                chunk = os.read(key.fd, _CHUNK)
            except BlockingIOError:
                continue
            if chunk:
                run.data += chunk
            else:
                self._reap(run)
        now = time.monotonic()
        for run in list(self.running.values()):
            if not run.killed and now - run.start > self.limits.seconds:
                run.killed = True
                _kill(run.pid)  # its pipe closes: reaped on the next step
            elif run.killed and now - run.start > self.limits.seconds + _REAP_GRACE:
                self._reap(run)  # something it started still holds the pipe: reap it anyway

    def _reap(self, run: _Running) -> None:
        self.selector.unregister(run.fd)
        os.close(run.fd)
        del self.running[run.fd]
        _, status, usage = os.wait4(run.pid, 0)
        run.errors.seek(0)
        head = run.errors.read(4096)  # a native abort says why first, then its backtrace
        run.errors.close()
        outcome = _outcome(bytes(run.data), status, run.killed, head)
        outcome.peak_kb = int(usage.ru_maxrss)
        outcome.seconds = time.monotonic() - run.start
        self.outcomes[run.index] = outcome
        if self.finished:
            self.finished(run.index, outcome)


def _outcome(data: bytes, status: int, killed: bool, errors: bytes = b"") -> Outcome:
    if killed:
        return Outcome(failure="timeout", detail="")
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        if sig == signal.SIGXCPU:
            return Outcome(failure="timeout", detail="SIGXCPU")
        if any(mark in errors for mark in _NATIVE_OOM):
            return Outcome(failure="memory", detail=_signal_name(sig))
        return Outcome(failure="signal", detail=_signal_name(sig))
    if data:
        try:
            kind, payload = pickle.loads(data)
        except Exception as exc:  # noqa: BLE001 - a child that died while writing its answer
            return Outcome(failure="exception", detail=_describe(exc))
        if kind == "ok":
            return Outcome(value=payload)
        return Outcome(failure=kind, detail=payload)
    return Outcome(failure="exception", detail=f"exit {os.WEXITSTATUS(status)}")


def _child(fn, task, w_fd: int, err_fd: int, base_vm: int, limits: ProcessLimits) -> None:
    code = 0
    try:
        _die_with_parent()
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        _silence(err_fd)  # a native reader's crash report must not reach the terminal or the JSON
        if base_vm:  # where the size is unknown (no /proc) the CPU and time limits remain
            _limit(resource.RLIMIT_AS, base_vm + limits.memory_mb * 1024 * 1024)
        cpu = int(limits.seconds) + 1
        _limit(resource.RLIMIT_CPU, cpu)
        try:
            answer = ("ok", fn(task))
        except MemoryError:
            answer = ("memory", "MemoryError")
        except BaseException as exc:  # noqa: BLE001 - reported to the parent as this task's outcome
            answer = ("exception", _describe(exc))
        try:
            data = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
        except MemoryError:
            data = pickle.dumps(("memory", "MemoryError"))
        except Exception as exc:  # noqa: BLE001
            data = pickle.dumps(("exception", _describe(exc)))
        view = memoryview(data)
        while view:
            n = os.write(w_fd, view)
            view = view[n:]
    except BaseException:  # noqa: BLE001 - nothing may escape a forked child
        code = 70
    finally:
        os._exit(code)


def _silence(err_fd: int) -> None:
    faulthandler.disable()  # it writes to a saved copy of stderr
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    os.dup2(err_fd, 2)
    os.close(null)


def _limit(which: int, value: int) -> None:
    soft, hard = resource.getrlimit(which)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    resource.setrlimit(which, (value, hard))


def _die_with_parent() -> None:
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # no prctl: the CPU limit still ends an orphan
        pass


def _vm_size() -> int:
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return 0


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _signal_name(sig: int) -> str:
    try:
        return signal.Signals(sig).name
    except ValueError:
        return f"tín hiệu {sig}"


def _describe(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}"
    frames = traceback.extract_tb(exc.__traceback__)
    if frames:
        last = frames[-1]
        text += f" ({os.path.basename(last.filename)}:{last.lineno})"
    return text[:300]


__all__ = ["Outcome", "ProcessLimits", "can_fork", "run_guarded"]
