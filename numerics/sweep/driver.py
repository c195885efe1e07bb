"""The sweep's batch driver: chunks of the grid, refinement rounds and confirmations, run into
the store, in this process or on a process pool.

* **The float64 grid** is cut into fixed chunks of :data:`CHUNK` consecutive learning rates,
  each one :func:`~numerics.sweep.tasks.grid_task` (one batched GD call). The chunk boundaries
  depend only on the grid, so a point's float64 result does not depend on ``jobs`` or on which
  points an earlier, interrupted run finished. Chunks already in the store are skipped.
* **Refinement rounds** run in this process (one batch each).
* **Confirmations** (:func:`~numerics.sweep.tasks.confirm_task`) run on the pool, converged
  points last (the others are the slow ones).

The pool has ``jobs`` workers started with the ``spawn`` method: every worker is a fresh
interpreter, so no flint or mpmath state is shared.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable

from ..problem import Problem
from .store import Store
from .tasks import confirm_task, grid_task

__all__ = ["CHUNK", "Driver", "Runner"]

#: learning rates per float64 batch (fixed, so results do not depend on ``jobs`` or resumption)
CHUNK = 8


class Runner:
    """Runs tasks in-process (``jobs = 1``) or on a spawn-started process pool."""

    def __init__(self, jobs: int):
        self.jobs = jobs
        self.pool = None

    def run(self, fn, tasks: list, on_done: Callable) -> None:
        if not tasks:
            return
        if self.jobs == 1 or len(tasks) == 1:
            for args in tasks:
                on_done(fn(*args))
            return
        if self.pool is None:
            from concurrent.futures import ProcessPoolExecutor

            self.pool = ProcessPoolExecutor(
                max_workers=self.jobs, mp_context=multiprocessing.get_context("spawn"))
        from concurrent.futures import as_completed

        futures = [self.pool.submit(fn, *args) for args in tasks]
        try:
            for fut in as_completed(futures):
                on_done(fut.result())
        except BaseException:
            for fut in futures:
                fut.cancel()
            raise

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None


class Driver:
    """Runs one sweep's tasks into its :class:`~numerics.sweep.store.Store`.

    ``ctx`` is :func:`~numerics.sweep.tasks.context` of the predictions; ``report`` is called
    as ``report(stage, done, total)``.
    """

    def __init__(self, problem: Problem, steps: int, store: Store, ctx: dict, jobs: int,
                 report: Callable[[str, int, int], None]):
        self.problem, self.steps, self.store, self.ctx = problem, steps, store, ctx
        self.report = report
        self.runner = Runner(jobs)

    def grid(self, grid: tuple) -> dict:
        """The float64 row of every grid point, by ``eta`` (chunks not yet stored are run)."""
        store, report = self.store, self.report
        chunks = [grid[i:i + CHUNK] for i in range(0, len(grid), CHUNK)]
        todo = [c for c in chunks if not all(store.has("grid", e) for e in c)]
        done = [len(grid) - sum(len(c) for c in todo)]
        report("float64 grid", done[0], len(grid))

        def grid_done(rows):
            for row in rows:
                store.add(row)
            done[0] += len(rows)
            report("float64 grid", done[0], len(grid))

        todo.sort(key=lambda c: -float(c[-1]))  # slow (large eta) chunks first
        self.runner.run(grid_task, [(self.problem, c, self.steps, "grid", self.ctx)
                                    for c in todo], grid_done)
        return {e: store.get("grid", e) for e in grid}

    def refine(self, etas: tuple) -> dict:
        """The float64 rows of one refinement round, by ``eta`` (run in this process unless
        all are stored)."""
        store = self.store
        if not all(store.has("refine", e) for e in etas):
            for row in grid_task(self.problem, etas, self.steps, "refine", self.ctx):
                store.add(row)
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
        report("confirm", count[0], total)

        def confirm_done(row):
            store.add(row)
            count[0] += 1
            report("confirm", count[0], total)

        tasks.sort(key=lambda t: 0 if (t[6] or {}).get("status") == "converged" else -1)
        self.runner.run(confirm_task, tasks, confirm_done)
        return {e: store.get("confirm", e) for e in targets}

    def close(self) -> None:
        self.runner.close()
