"""The sweep's batch driver: chunks of the grid, refinement rounds and confirmations, run into
the store, in this process or on a process pool.

* **The float64 grid** is cut into fixed chunks of :data:`CHUNK` consecutive learning rates,
  each one :func:`~numerics.sweep.tasks.grid_task` (one batched GD call). The chunk boundaries
  depend only on the grid, so a point's float64 result does not depend on ``jobs`` or on which
  points an earlier, interrupted run finished. Chunks already in the store are skipped; a
  chunk's rows are stored together (one write, one ``fsync``).
* **Refinement rounds** run in this process (one batch each).
* **Confirmations** (:func:`~numerics.sweep.tasks.confirm_task`) run on the pool, the longest
  first (by their step budget), each stored as soon as it finishes. With a directory, a
  confirmation in progress saves its exact state every :data:`CHECKPOINT_SECONDS` seconds in
  ``DIR/checkpoints/`` (:mod:`numerics.checkpoint`; removed once its row is stored), so a
  rerun after a kill continues it where it stopped, bit for bit, instead of starting again.

Interrupts and the pool
-----------------------
The pool is a :class:`concurrent.futures.ProcessPoolExecutor` of ``jobs`` workers started with
the ``spawn`` method (every worker is a fresh interpreter: no flint or mpmath state is shared).
Workers are started with SIGINT blocked and ignore it, so a Ctrl-C (which a terminal sends to
every process of the job) interrupts this process only, wherever it lands: while tasks are
submitted, while results are collected or stored, or while the pool shuts down. Any exception
there (an interrupt, a failed task, a full disk) ends in :meth:`Runner.stop`: queued tasks are
cancelled and every worker is terminated (SIGTERM, then SIGKILL after :data:`STOP_GRACE`
seconds); no busy worker is waited for. A worker whose parent process dies (``kill -9``) exits
instead of finishing its task for nobody.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from multiprocessing import resource_tracker
from multiprocessing.context import SpawnContext
from pathlib import Path

from ..problem import Problem
from .edge import EDGE_CHUNK, edge_task
from .store import Store, eta_key
from .tasks import confirm_task, grid_task

__all__ = ["CHUNK", "CHECKPOINT_SECONDS", "STOP_GRACE", "Driver", "Runner"]

#: learning rates per float64 batch (fixed, so results do not depend on ``jobs`` or resumption)
CHUNK = 8
#: seconds between the checkpoints of a confirmation in progress (with a directory)
CHECKPOINT_SECONDS = 2.0
#: seconds a terminated worker is given to exit before it is killed
STOP_GRACE = 1.0

def _confirm_checkpointed(checkpoint: str, *args) -> dict:
    """:func:`confirm_task` saving its state to ``checkpoint`` (``PATH.<precision>`` files)."""
    return confirm_task(*args, checkpoint=checkpoint, checkpoint_seconds=CHECKPOINT_SECONDS)


def _worker_init() -> None:
    """A worker's first act: ignore Ctrl-C (its parent stops it) and exit with its parent."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=_exit_with, args=(parent,), daemon=True).start()


def _exit_with(parent) -> None:
    parent.join()  # returns when the parent process has ended
    os._exit(1)


class _Spawn(SpawnContext):
    """The ``spawn`` context, remembering every process it creates, so that :meth:`Runner.stop`
    reaches all of them whatever state the pool is left in."""

    def __init__(self):
        super().__init__()
        self.created: list = []

    def Process(self, *args, **kwargs):  # noqa: N802 - the multiprocessing name
        process = super().Process(*args, **kwargs)
        self.created.append(process)
        return process


@contextmanager
def _sigint_blocked():
    """SIGINT blocked in this thread; processes started meanwhile inherit the mask (as
    :mod:`multiprocessing.resource_tracker` starts its process, which unblocks it afterwards:
    it must not start meanwhile). A Ctrl-C meanwhile stays pending and is raised when the
    block ends."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


@contextmanager
def _sigint_ignored():
    """A further Ctrl-C is ignored (main thread only): it cannot cut a teardown short."""
    try:
        old = signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # not the main thread: signals are the main thread's business
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, old)


class Runner:
    """Runs tasks in this process (``jobs = 1``) or on a spawn-started process pool.

    :meth:`run` hands each result to ``on_done`` as it arrives; if anything raises meanwhile,
    the pool is stopped (:meth:`stop`) before the exception propagates. :meth:`close` shuts an
    idle pool down (and stops it if interrupted meanwhile).
    """

    def __init__(self, jobs: int):
        self.jobs = jobs
        self.pool: ProcessPoolExecutor | None = None
        self.context: _Spawn | None = None

    def run(self, fn, tasks: list, on_done: Callable) -> None:
        if not tasks:
            return
        if self.jobs == 1 or len(tasks) == 1:
            for args in tasks:
                on_done(fn(*args))
            return
        try:
            if self.pool is None:
                self.context = _Spawn()
                self.pool = ProcessPoolExecutor(max_workers=self.jobs, mp_context=self.context,
                                                initializer=_worker_init)
                # the resource tracker unblocks SIGINT when it starts: start it first
                resource_tracker.ensure_running()
            with _sigint_blocked():  # workers (spawned on submission) are born with it blocked
                futures = [self.pool.submit(fn, *args) for args in tasks]
            for fut in as_completed(futures):
                on_done(fut.result())
        except BaseException:
            self.stop()
            raise

    def close(self) -> None:
        """Shut the pool down after its work is done (quick: its workers are idle)."""
        if self.pool is None:
            return
        try:
            self.pool.shutdown(wait=True)
        except BaseException:
            self.stop()
            raise
        self.pool = None

    def stop(self) -> None:
        """Cancel queued tasks and end every worker now, busy or not; never waits more than
        about ``2 STOP_GRACE`` seconds."""
        pool, self.pool = self.pool, None
        created = self.context.created if self.context is not None else []
        with _sigint_ignored():
            started = [p for p in created if p.pid is not None]
            for p in started:
                if p.exitcode is None:
                    p.terminate()
            # the pool's manager thread winds down once its workers are gone; let it finish
            # before the interpreter's exit hook wakes it (a race in CPython < 3.12.8 and
            # 3.13.1, gh-125451, prints "Bad file descriptor" at exit)
            manager = getattr(pool, "_executor_manager_thread", None)
            if pool is not None:
                pool.shutdown(wait=False, cancel_futures=True)
            deadline = time.monotonic() + STOP_GRACE
            for p in started:
                p.join(max(0.0, deadline - time.monotonic()))
            for p in started:
                if p.exitcode is None:
                    p.kill()
                    p.join(STOP_GRACE)
            if manager is not None:
                manager.join(STOP_GRACE)


class Driver:
    """Runs one sweep's tasks into its :class:`~numerics.sweep.store.Store`.

    ``ctx`` is :func:`~numerics.sweep.tasks.context` of the predictions; ``report`` is called
    as ``report(stage, done, total)`` with the stages ``"grid"``, ``"refinement: ..."`` (from
    :mod:`~numerics.sweep.observe`) and ``"confirmations"``. Use it as a context manager: on
    leaving, the pool is shut down, or stopped at once when an exception is propagating.
    """

    def __init__(self, problem: Problem, steps: int, store: Store, ctx: dict, jobs: int,
                 report: Callable[[str, int, int], None]):
        self.problem, self.steps, self.store, self.ctx = problem, steps, store, ctx
        self.report = report
        self.runner = Runner(jobs)

    def __enter__(self) -> Driver:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.runner.close()
        else:
            self.runner.stop()

    def grid(self, grid: tuple) -> dict:
        """The float64 row of every grid point, by ``eta`` (chunks not yet stored are run)."""
        store, report = self.store, self.report
        chunks = [grid[i:i + CHUNK] for i in range(0, len(grid), CHUNK)]
        todo = [c for c in chunks if not all(store.has("grid", e) for e in c)]
        done = [len(grid) - sum(len(c) for c in todo)]
        report("grid", done[0], len(grid))

        def grid_done(rows):
            store.add_many(rows)
            done[0] += len(rows)
            report("grid", done[0], len(grid))

        todo.sort(key=lambda c: -float(c[-1]))  # slow (large eta) chunks first
        self.runner.run(grid_task, [(self.problem, c, self.steps, "grid", self.ctx)
                                    for c in todo], grid_done)
        return {e: store.get("grid", e) for e in grid}

    def refine(self, etas: tuple) -> dict:
        """The float64 rows of one refinement round, by ``eta`` (run in this process unless
        all are stored)."""
        store = self.store
        if not all(store.has("refine", e) for e in etas):
            store.add_many(grid_task(self.problem, etas, self.steps, "refine", self.ctx))
        return {e: store.get("refine", e) for e in etas}

    def confirm(self, targets: list, precision, backend: str, rows: dict) -> dict:
        """The confirmation row of every target (``None`` for none), by ``eta``; ``rows`` are
        the grid rows, whose float64 status and steps set each confirmation's budget."""
        store, report = self.store, self.report
        tasks, total = [], len(targets)
        for eta in targets:
            if store.has("confirm", eta):
                continue
            src = rows.get(eta) or store.get("refine", eta)
            tasks.append((self.problem, eta, self.steps, precision, backend, self.ctx, src))
        count = [total - len(tasks)]
        report("confirmations", count[0], total)
        checkpoints = self._checkpoints()

        def confirm_done(row):
            store.add(row)
            if checkpoints is not None:
                for path in checkpoints.glob(f"{_checkpoint_name(row['eta'])}.*"):
                    path.unlink(missing_ok=True)
            count[0] += 1
            report("confirmations", count[0], total)

        tasks.sort(key=lambda t: -_cost(t[6], self.steps))  # the longest first
        fn = confirm_task
        if checkpoints is not None:
            fn = _confirm_checkpointed
            tasks = [(str(checkpoints / _checkpoint_name(eta_key(t[1]))), *t) for t in tasks]
        self.runner.run(fn, tasks, confirm_done)
        return {e: store.get("confirm", e) for e in targets}

    def edge(self, etas: tuple, formats: tuple) -> dict:
        """The edge rows (:mod:`~numerics.sweep.edge`) of every ``eta`` at each format, by
        format then ``eta``: fixed chunks of :data:`~numerics.sweep.edge.EDGE_CHUNK` per
        format, each one task stored as it finishes (those already stored are skipped), the
        highest precision first (the slowest)."""
        store, report = self.store, self.report
        chunks = [(fmt, etas[i:i + EDGE_CHUNK]) for fmt in reversed(formats)
                  for i in range(0, len(etas), EDGE_CHUNK)]
        todo = [(f, c) for f, c in chunks if not all(store.has(f"edge:{f}", e) for e in c)]
        total = len(etas) * len(formats)
        done = [total - sum(len(c) for _, c in todo)]
        report("edge", done[0], total)

        def edge_done(rows):
            store.add_many(rows)
            done[0] += len(rows)
            report("edge", done[0], total)

        self.runner.run(edge_task, [(self.problem, c, self.steps, f) for f, c in todo],
                        edge_done)
        return {f: {e: store.get(f"edge:{f}", e) for e in etas} for f in formats}

    def _checkpoints(self) -> Path | None:
        """``DIR/checkpoints`` (created), or ``None`` without a directory."""
        if self.store.folder is None:
            return None
        folder = self.store.folder / "checkpoints"
        folder.mkdir(exist_ok=True)
        return folder


def _checkpoint_name(eta: str) -> str:
    """The checkpoint file stem of a confirmation (``eta`` as in the store: ``"3/10"``)."""
    return "confirm-" + eta.replace("/", "_")


def _cost(row: dict | None, steps: int) -> int:
    """The step budget a confirmation will use, about: its float64 run's steps when that run
    ended early (converged or diverged), else the full budget."""
    if row is None or row.get("status") == "not_converged":
        return steps
    return int(row["steps"])
