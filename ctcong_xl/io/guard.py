"""Guarded workers: run tasks in child processes with memory and time limits, two at a time.

A file sent by an agency is untrusted input to native readers (python-calamine, lxml, zlib):
one of them may abort the process (SIGABRT), exhaust memory or loop. Tasks therefore run in
forked children (at most two), each fed one task after another, which

* get an address-space limit (``RLIMIT_AS``: the parent's size when forked plus ``memory_mb``)
  and a CPU limit for each task, and die with their parent (``PR_SET_PDEATHSIG`` on Linux);
* inherit everything the parent already holds (the master's dataset, the run's agency matcher
  and item index: nothing is pickled in), and send back only each task's pickled result
  through a pipe;
* are killed when a task runs longer than ``seconds`` of wall-clock time.

Whatever happens in a child — a return value, an exception, a signal, a limit — comes back as
the :class:`Outcome` of the task it was running, in the order of the tasks (deterministic
whatever finishes first); a new child takes the next task. :func:`iter_guarded` hands each
outcome over as soon as it and those of the tasks before it are in, so that the caller works on
it (and lets it go) while the children go on with the next tasks; :func:`run_guarded` collects them. A child that has grown by half its
memory allowance retires after its task. One fork per task would cost more than most tasks
(the parent's pages are copied on write again in every child). Where ``fork`` does not exist
(Windows, the Excel door) the tasks run in this process, one by one, and only exceptions are
caught.
"""

from __future__ import annotations

import ctypes
import faulthandler
import os
import pickle
import selectors
import signal
import struct
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, TypeVar

from . import prefetch

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
                finished: Callable[[int, Outcome[R]], None] | None = None, ahead: int = 2,
                meanwhile: Callable[[], None] | None = None) -> list[Outcome[R]]:
    """``fn(task)`` for each task, each guarded; outcomes in the order of ``tasks``.
    ``started(i)`` / ``finished(i, outcome)`` are called in this process as tasks start and end.
    ``ahead`` and ``meanwhile``: see :func:`iter_guarded`."""
    return list(iter_guarded(fn, tasks, limits, started=started, finished=finished, ahead=ahead,
                             meanwhile=meanwhile))


def iter_guarded(fn: Callable[[T], R], tasks: Sequence[T], limits: ProcessLimits = ProcessLimits(), *,
                 started: Callable[[int], None] | None = None,
                 finished: Callable[[int, Outcome[R]], None] | None = None,
                 ahead: int = 2, meanwhile: Callable[[], None] | None = None) -> Iterator[Outcome[R]]:
    """The outcomes of :func:`run_guarded`, in the order of ``tasks``, each yielded as soon as it
    and every one before it are in; the children go on with the next tasks meanwhile. Run it to
    its end or close it (``contextlib.closing``): closing ends the children still running.
    ``ahead``: the tasks sent to a child at a time. With 2 (many short tasks, a caller busy with
    each outcome) the next one waits in the child's pipe, so that the child never waits for this
    process; with 1 (a few long tasks, largest first) each task goes to the first child free,
    not behind a long one. ``meanwhile()``: this process's own work, done once the children have
    their first tasks, before the first outcome is waited for (without fork: before the tasks)."""
    if not can_fork():
        return _run_in_process(fn, tasks, started, finished, meanwhile)
    return _Pool(fn, tasks, limits, started, finished, max(1, ahead)).run(meanwhile)


def _run_in_process(fn, tasks, started, finished, meanwhile=None) -> Iterator[Outcome]:
    if meanwhile is not None:
        meanwhile()
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
        if finished:
            finished(i, outcome)
        yield outcome


@dataclass
class _Worker:
    """A forked child that runs the tasks it is sent, one after another."""

    pid: int
    fd: int  # its answers (frames: task index, length, pickled outcome)
    send: int  # its task indexes
    errors: Any  # its stderr (a temporary file, emptied before each task): tells a native out-of-memory abort
    data: bytearray = field(default_factory=bytearray)
    queue: list[int] = field(default_factory=list)  # the task it is running, then the one sent to follow it
    start: float = 0.0  # when the task it is running started
    killed: bool = False
    killed_at: float = 0.0
    retiring: bool = False  # its last answer said it takes no more tasks

    @property
    def task(self) -> int | None:
        """The task it is running (None: idle)."""
        return self.queue[0] if self.queue else None


_FRAME = struct.Struct("<IQ?")  # task index, length of the pickled answer, the child's last answer


class _Pool:
    """At most ``limits.workers`` children, each forked once and fed task after task: a fork
    per task costs more than most tasks (the parent's pages copied on write, every time). A
    child that fails (signal, limit, wall-clock time) takes only its current task with it: that
    task's outcome says why, and a new child takes the next task. Each child holds up to
    ``ahead`` tasks: with 2, the task after its current one waits in its pipe, so that it goes
    on while this process is busy (with the caller's work on an outcome); a child that ends
    before it reads that task gives it back."""

    def __init__(self, fn, tasks, limits: ProcessLimits, started, finished, ahead: int = 2) -> None:
        self.fn, self.tasks, self.limits, self.ahead = fn, list(tasks), limits, ahead
        self.started, self.finished = started, finished
        self.done: dict[int, Outcome] = {}  # outcomes not yet handed over (a later task may finish first)
        self.workers: dict[int, _Worker] = {}  # fd -> worker
        self.selector = selectors.DefaultSelector()
        self.pending: list[int] = []

    def run(self, meanwhile: Callable[[], None] | None = None) -> Iterator[Outcome]:
        self.pending = list(range(len(self.tasks)))
        self.pending.reverse()
        following = 0  # the task whose outcome is handed over next
        try:
            if meanwhile is not None:
                self._feed()
                meanwhile()
            while following < len(self.tasks):
                self._feed()
                self._step()
                while following in self.done:
                    outcome = self.done.pop(following)
                    following += 1
                    self._feed()  # every child busy again before the caller works on the outcome
                    yield outcome
        finally:
            for w in list(self.workers.values()):  # done or interrupted: no child outlives the run
                if w.task is not None:
                    _kill(w.pid)
                os.close(w.send)  # an idle child reads the end of its tasks and exits
                os.waitpid(w.pid, 0)
                os.close(w.fd)
                w.errors.close()
            self.selector.close()

    def _feed(self) -> None:
        """The next tasks to the children (the idle ones first), and new children up to the
        number allowed."""
        for ahead in range(1, self.ahead + 1):
            for w in list(self.workers.values()):
                if len(w.queue) < ahead and not w.retiring and not w.killed and self.pending:
                    self._send(w, self.pending.pop())
            while self.pending and sum(not w.retiring for w in self.workers.values()) < max(1, self.limits.workers):
                self._send(self._fork(), self.pending.pop())

    def _fork(self) -> _Worker:
        prefetch.settle()  # (no child starts with a thread in the middle of a parse)
        sys.stdout.flush()
        sys.stderr.flush()
        base_vm = _vm_size()
        errors = tempfile.TemporaryFile()
        r_fd, w_fd = os.pipe()
        task_r, task_w = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: never returns
            os.close(r_fd)
            os.close(task_w)
            for other in self.workers.values():
                os.close(other.fd)
                os.close(other.send)
            _child(self.fn, self.tasks, task_r, w_fd, errors.fileno(), base_vm, self.limits)
        os.close(w_fd)
        os.close(task_r)
        os.set_blocking(r_fd, False)
        worker = _Worker(pid=pid, fd=r_fd, send=task_w, errors=errors)
        self.workers[r_fd] = worker
        self.selector.register(r_fd, selectors.EVENT_READ)
        return worker

    def _send(self, w: _Worker, i: int) -> None:
        w.queue.append(i)
        if len(w.queue) == 1:
            self._start(w)
        try:
            os.write(w.send, struct.pack("<I", i))
        except BrokenPipeError:  # the child is gone: its end of pipe tells the outcome
            pass

    def _start(self, w: _Worker) -> None:
        """The first task of ``w``'s queue runs from now."""
        w.start = time.monotonic()
        if self.started:
            self.started(w.queue[0])

    def _give_back(self, w: _Worker) -> None:
        """The tasks ``w`` was sent but never read go first to another child."""
        self.pending.extend(reversed(w.queue[1:]))
        del w.queue[1:]

    def _step(self) -> None:
        now = time.monotonic()
        busy = [w for w in self.workers.values() if w.task is not None]
        deadline = min((w.start + self.limits.seconds for w in busy), default=now + 1.0)
        for key, _ in self.selector.select(timeout=max(0.0, min(deadline - now, 1.0))):
            w = self.workers[key.fd]
            try:
                chunk = os.read(key.fd, _CHUNK)
            except BlockingIOError:
                continue
            if chunk:
                w.data += chunk
                self._answers(w)
            else:
                self._reap(w)
        now = time.monotonic()
        for w in list(self.workers.values()):
            if w.task is not None and not w.killed and now - w.start > self.limits.seconds:
                w.killed, w.killed_at = True, now
                _kill(w.pid)  # its pipe closes: reaped on the next step
            elif w.killed and now - w.killed_at > _REAP_GRACE:
                self._reap(w)  # something it started still holds the pipe: reap it anyway

    def _answers(self, w: _Worker) -> None:
        while len(w.data) >= _FRAME.size:
            i, n, last = _FRAME.unpack_from(w.data)
            if len(w.data) < _FRAME.size + n:
                return
            payload = bytes(w.data[_FRAME.size:_FRAME.size + n])
            del w.data[:_FRAME.size + n]
            w.retiring = w.retiring or last
            if w.task != i or w.killed:
                continue
            if last:
                self._give_back(w)
            w.queue.pop(0)
            outcome = _outcome(payload, 0, False)
            outcome.seconds = time.monotonic() - w.start
            self._done(i, outcome)
            if w.queue:
                self._start(w)

    def _reap(self, w: _Worker) -> None:
        self.selector.unregister(w.fd)
        os.close(w.fd)
        os.close(w.send)
        del self.workers[w.fd]
        _, status, usage = os.wait4(w.pid, 0)
        w.errors.seek(0)
        head = w.errors.read(4096)  # a native abort says why first, then its backtrace
        w.errors.close()
        if w.task is None:  # a child that retired between tasks
            return
        self._give_back(w)
        outcome = _outcome(b"", status, w.killed, head)
        outcome.peak_kb = int(usage.ru_maxrss)
        outcome.seconds = time.monotonic() - w.start
        self._done(w.task, outcome)

    def _done(self, i: int, outcome: Outcome) -> None:
        self.done[i] = outcome
        if self.finished:
            self.finished(i, outcome)


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
            kind, payload, peak = pickle.loads(data)
        except Exception as exc:  # noqa: BLE001 - a child that died while writing its answer
            return Outcome(failure="exception", detail=_describe(exc))
        outcome = Outcome(value=payload) if kind == "ok" else Outcome(failure=kind, detail=payload)
        outcome.peak_kb = peak
        return outcome
    return Outcome(failure="exception", detail=f"exit {os.WEXITSTATUS(status)}")


def _child(fn, tasks, task_fd: int, w_fd: int, err_fd: int, base_vm: int, limits: ProcessLimits) -> None:
    """Run the tasks the parent sends until it sends no more; retire early when this process
    has grown by half its memory allowance (the next child starts from the parent's size)."""
    code = 0
    try:
        _die_with_parent()
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        _silence(err_fd)  # a native reader's crash report must not reach the terminal or the JSON
        allowance = limits.memory_mb * 1024 * 1024
        if base_vm:  # where the size is unknown (no /proc) the CPU and time limits remain
            _limit(resource.RLIMIT_AS, base_vm + allowance)
        while True:
            head = _read_exactly(task_fd, 4)
            if head is None:
                break
            (i,) = struct.unpack("<I", head)
            os.lseek(2, 0, os.SEEK_SET)
            os.ftruncate(2, 0)
            _reset_peak()
            used = resource.getrusage(resource.RUSAGE_SELF)
            _limit(resource.RLIMIT_CPU, int(used.ru_utime + used.ru_stime + limits.seconds) + 1)
            try:
                answer = ("ok", fn(tasks[i]))
            except MemoryError:
                answer = ("memory", "MemoryError")
            except BaseException as exc:  # noqa: BLE001 - reported to the parent as this task's outcome
                answer = ("exception", _describe(exc))
            try:
                data = pickle.dumps((*answer, _peak_kb()), protocol=pickle.HIGHEST_PROTOCOL)
            except MemoryError:
                data = pickle.dumps(("memory", "MemoryError", 0))
            except Exception as exc:  # noqa: BLE001
                data = pickle.dumps(("exception", _describe(exc), 0))
            last = bool(base_vm) and _vm_size() > base_vm + allowance // 2
            view = memoryview(_FRAME.pack(i, len(data), last) + data)
            while view:
                n = os.write(w_fd, view)
                view = view[n:]
            if last:
                break
    except BaseException:  # noqa: BLE001 - nothing may escape a forked child
        code = 70
    finally:
        os._exit(code)


def _read_exactly(fd: int, n: int) -> bytes | None:
    data = b""
    while len(data) < n:
        chunk = os.read(fd, n - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def _reset_peak() -> None:
    """Start this task's peak resident memory afresh (Linux: ``clear_refs`` 5 resets VmHWM)."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
    except OSError:
        pass


def _peak_kb() -> int:
    """This task's peak resident memory in KB (since :func:`_reset_peak`; where that is not
    possible, the process's peak)."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


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


def resident_mb() -> float:
    """This process's resident memory now, in MB (0 where /proc does not say it)."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / (1 << 20)
    except (OSError, ValueError, IndexError):
        return 0.0


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


__all__ = ["Outcome", "ProcessLimits", "can_fork", "iter_guarded", "run_guarded"]
