"""Guarded workers (io/guard.py): whatever one task does — return, raise, abort, eat memory,
hang — comes back as that task's outcome, in the order of the tasks, and the others complete."""

from __future__ import annotations

import os
import time

import pytest

from ctcong_xl.io.guard import ProcessLimits, can_fork, iter_guarded, run_guarded

pytestmark = pytest.mark.skipif(not can_fork(), reason="guarded workers need fork")

LIMITS = ProcessLimits(memory_mb=200, seconds=5)


def task(name: str) -> str:
    if name == "abort":
        os.abort()  # what python-calamine does on a sheet claiming XFD1048576
    if name == "raise":
        raise ValueError("ô J7 không đọc được")
    if name == "memory":
        hog = [bytearray(50 * 1024 * 1024) for _ in range(100)]  # 5 GB
        return str(len(hog))
    if name == "hang":
        time.sleep(60)
    if name == "slow":
        time.sleep(0.3)
    return name.upper()


def test_every_failure_is_the_outcome_of_its_own_task_and_the_others_complete():
    names = ["stc", "abort", "snv", "raise", "memory", "hang", "stp"]
    outcomes = run_guarded(task, names, LIMITS)
    assert [o.value for o in outcomes] == ["STC", None, "SNV", None, None, None, "STP"]
    assert [o.failure for o in outcomes] == [None, "signal", None, "exception", "memory", "timeout", None]
    assert outcomes[1].detail == "SIGABRT"
    assert outcomes[3].detail.startswith("ValueError: ô J7 không đọc được")


def test_outcomes_follow_the_order_of_the_tasks_whichever_finishes_first():
    names = ["slow", "a", "b", "slow", "c"]
    assert [o.value for o in run_guarded(task, names, LIMITS)] == ["SLOW", "A", "B", "SLOW", "C"]


def test_two_tasks_run_at_the_same_time(tmp_path):
    def meet(me: str) -> bool:  # each waits for the other: only true if both run at once
        other = {"stc": "snv", "snv": "stc"}[me]
        (tmp_path / me).touch()
        for _ in range(400):
            if (tmp_path / other).exists():
                return True
            time.sleep(0.01)
        return False

    assert [o.value for o in run_guarded(meet, ["stc", "snv"], LIMITS)] == [True, True]


def test_a_task_sees_what_the_parent_holds_without_pickling_it():
    registry = {"STC": "Sở Tài chính", "SNV": "Sở Nội vụ"}
    assert [o.value for o in run_guarded(registry.__getitem__, ["SNV", "STC"], LIMITS)] == ["Sở Nội vụ", "Sở Tài chính"]


def test_the_peak_memory_of_each_task_is_measured():
    (small, big) = run_guarded(lambda n: len(bytearray(n * 1024 * 1024)), [1, 120], LIMITS)
    assert big.value == 120 * 1024 * 1024
    assert big.peak_kb > small.peak_kb + 100 * 1024


def test_a_task_cannot_print_into_the_output():
    read, write = os.pipe()
    saved = os.dup(1)
    os.dup2(write, 1)
    try:
        run_guarded(lambda s: print(s, flush=True), ["rác trong JSON"], LIMITS)
    finally:
        os.dup2(saved, 1)
        os.close(write)
    assert os.read(read, 100) == b""


def test_two_children_run_every_task_one_after_another():
    pids = [o.value for o in run_guarded(lambda _: os.getpid(), range(12), LIMITS)]
    assert len(set(pids)) <= 2 and os.getpid() not in pids


def slow_first(n: int) -> int:
    if n == 0:
        time.sleep(0.5)
    return os.getpid()


def test_with_one_task_ahead_a_task_goes_to_the_first_child_free_not_behind_a_long_one():
    long_one, short, after = (o.value for o in run_guarded(slow_first, [0, 1, 2], LIMITS, ahead=1))
    assert short == after != long_one


def test_with_two_tasks_ahead_the_next_task_already_waits_in_the_first_child():
    long_one, short, after = (o.value for o in run_guarded(slow_first, [0, 1, 2], LIMITS))
    assert long_one == after != short


def test_this_process_does_its_own_work_while_the_children_run_their_first_tasks(tmp_path):
    mark = tmp_path / "meanwhile"

    def task(n: int) -> bool:  # ends only once this process's own work has begun
        for _ in range(400):
            if mark.exists():
                return True
            time.sleep(0.01)
        return False

    outcomes = run_guarded(task, [0, 1], LIMITS, meanwhile=mark.touch)
    assert [o.value for o in outcomes] == [True, True]


def test_after_a_crash_a_new_child_takes_the_next_task():
    outcomes = run_guarded(lambda n: os.abort() if n == 1 else os.getpid(), [0, 1, 2, 3, 4], ProcessLimits(workers=1))
    assert outcomes[1].failure == "signal"
    assert outcomes[0].value != outcomes[2].value == outcomes[3].value == outcomes[4].value


KEPT: list[bytearray] = []


def test_a_child_grown_by_half_its_memory_allowance_takes_no_further_task():
    def grow(n: int) -> int:
        if n == 1:
            KEPT.append(bytearray(120 * 1024 * 1024))  # kept after the task: the child stays big
        return os.getpid()

    pids = [o.value for o in run_guarded(grow, [0, 1, 2], ProcessLimits(memory_mb=200, seconds=5, workers=1))]
    assert pids[0] == pids[1] != pids[2]


def test_each_outcome_is_handed_over_while_the_later_tasks_still_run(tmp_path):
    go = tmp_path / "go"

    def task(n: int) -> bool:  # the second task ends only once the caller holds the first outcome
        for _ in range(400):
            if n == 0 or go.exists():
                return True
            time.sleep(0.01)
        return False

    outcomes = iter_guarded(task, [0, 1], LIMITS)
    assert next(outcomes).value is True
    go.touch()
    assert next(outcomes).value is True


def test_closing_the_outcomes_early_ends_every_child(tmp_path):
    def task(n: int) -> int:
        (tmp_path / str(n)).write_text(str(os.getpid()))
        if n == 1:
            time.sleep(60)
        return os.getpid()

    outcomes = iter_guarded(task, [0, 1, 2], LIMITS)
    first = next(outcomes).value
    for _ in range(400):  # the second child has started its task
        if (tmp_path / "1").exists() and (tmp_path / "1").read_text():
            break
        time.sleep(0.01)
    outcomes.close()
    for pid in (first, int((tmp_path / "1").read_text())):
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
