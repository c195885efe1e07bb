r"""Run a study on Dask, into the sweep's resumable store, and summarise it.

How it runs
-----------
Every task is a pure function of small JSON arguments (:mod:`numerics.study.plan`): an
instance's plan (its learning rates), then one task per ``(instance, eta)``. Tasks run on a
``dask.distributed`` cluster: a :class:`~distributed.LocalCluster` of ``workers`` processes
(one thread each) by default, or the scheduler at ``scheduler`` (an existing cluster, whose
workers must have this package installed). ``workers = 0`` runs every task in this process
(no Dask).

Storage and resumption
----------------------
Rows go into the sweep's store (:class:`numerics.sweep.store.Store`) in ``DIR/runs``: a plan
row is keyed ``("plan", instance id)``, a GD row ``(instance id, eta)``; every row is appended
to ``DIR/runs/sweep.jsonl`` as soon as it arrives (with those that arrived with it: one write,
one ``fsync``). The study's arguments are the store's meta (``DIR/runs/sweep.meta.json``): a
rerun with the same arguments reads the rows back and submits only the missing tasks, so a study
killed at any point recomputes nothing that finished; other arguments in the same ``DIR`` are
refused. A task that runs twice (a worker died after finishing it, before the scheduler heard)
gives the same row, and the store keeps the first: nothing is duplicated. One study at a time
writes ``DIR`` (the store's lock).

Results: ``DIR/study.json`` (arguments, every instance's class, the phase diagram with Wilson
intervals: :mod:`numerics.study.classify`) and ``DIR/instances.csv``.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import numpy as np

from ..errors import DomainError
from ..files import atomic_open, atomic_write
from ..sweep.store import Store
from .classify import CLASSES, TIE, Z95, classify, phase_diagram
from .plan import FORMAT, RATIO_DIGITS, SCALE_DIGITS, eta_task, plan_task, problem_of, specs

__all__ = ["study", "StudyRun"]

PARAMS = ("product", "difference", "shared")


def _ints(values, name: str, low: int) -> list[int]:
    try:
        out = [int(v) for v in values]
    except (TypeError, ValueError):
        raise DomainError(name, values, f"integers >= {low}") from None
    if not out or any(v < low for v in out) or any(
            isinstance(v, bool) or not isinstance(v, (int, np.integer)) for v in values):
        raise DomainError(name, values, f"a non-empty list of integers >= {low}")
    return sorted(set(out))


def _count(value, name: str, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise DomainError(name, value, f"an integer >= {low} is required")
    return int(value)


class StudyRun:
    """A finished study: ``meta`` (its arguments), ``specs``, ``classes`` (by instance id),
    ``cells`` (the phase diagram), ``computed`` / ``reused`` (tasks run now / read back from
    the store), ``failed`` (``(task, error)`` of tasks that raised; not stored, so a rerun
    tries them again) and ``files``."""

    def __init__(self, meta, spec_list, classes, cells, computed, reused, failed, files):
        self.meta, self.specs, self.classes, self.cells = meta, spec_list, classes, cells
        self.computed, self.reused, self.failed, self.files = computed, reused, failed, files

    def to_json(self) -> dict:
        return {"format": FORMAT, "arguments": self.meta["arguments"],
                "classes": list(CLASSES), "tie": TIE, "interval": "Wilson score, 95% (z = "
                f"{Z95})", "cells": self.cells,
                "instances": [{**{k: s[k] for k in ("id", "n", "d", "sparsity", "seed")},
                               **self.classes.get(s["id"], {"class": None})}
                              for s in self.specs],
                "tasks": {"computed": self.computed, "reused": self.reused,
                          "failed": [{"task": t, "error": e} for t, e in self.failed]},
                "files": {k: str(v) for k, v in self.files.items()}}


def study(ns, ds, sparsities, instances: int, *, out_dir, seed: int = 0, alpha="1/100",
          param: str = "product", depth: int = 2, noise="0", design: str = "gaussian",
          etas: int = 12, steps: int = 50000, scheduler: str | None = None, workers: int = 2,
          progress: Callable[[str, int, int], None] | None = None) -> StudyRun:
    """Run (or resume) a study: ``instances`` random instances per cell ``(n, d, s)``, a
    learning-rate sweep of ``etas`` float64 GD runs on each (``steps`` steps at the instance's
    scale ``eta = 2/S(beta_N)``, ``steps / r`` at ``eta = r 2/S(beta_N)``), and the phase
    diagram (module notes; :mod:`numerics.study.plan`, :mod:`numerics.study.classify`).

    Raises
    ------
    DomainError
        An argument outside its domain (named), or ``out_dir`` holding another study or in use.
    """
    ns, ds = _ints(ns, "ns", 1), _ints(ds, "ds", 2)
    sparsities = _ints(sparsities, "sparsities", 0)
    instances = _count(instances, "instances", 1)
    etas, steps = _count(etas, "etas", 3), _count(steps, "steps", 1)
    workers = _count(workers, "workers", 0)
    if param not in PARAMS:
        raise DomainError("param", param, f"one of {', '.join(PARAMS)}")
    if Fraction(alpha) <= 0:
        raise DomainError("alpha", alpha, "alpha > 0 is required")
    spec_list = specs(ns, ds, sparsities, instances, seed=_count(seed, "seed", 0),
                      alpha=Fraction(alpha), param=param, depth=depth,
                      noise=Fraction(noise), design=design)
    arguments = {"ns": ns, "ds": ds, "sparsities": sparsities, "instances": instances,
                 "seed": seed, "alpha": str(Fraction(alpha)), "param": param, "depth": depth,
                 "noise": str(Fraction(noise)), "design": design, "etas": etas,
                 "steps": steps}
    meta = {"format": FORMAT, "arguments": arguments, "scale_digits": SCALE_DIGITS,
            "ratio_digits": RATIO_DIGITS, "generator_version": spec_list[0][
                "generator_version"]}
    folder = Path(out_dir)
    if folder.exists() and not folder.is_dir():
        raise DomainError("out_dir", str(out_dir), "a directory (a file of that name exists)")
    store = Store(folder / "runs", meta)
    report = progress or (lambda stage, done, total: None)
    try:
        computed, reused, failed = _execute(store, spec_list, meta, etas, steps, scheduler,
                                            workers, report)
    finally:
        store.close()
    classes = {}
    for spec in spec_list:
        plan = store.get("plan", spec["id"])
        if plan is None:
            continue
        rows = {Fraction(e): store.get(spec["id"], Fraction(e)) for e in plan["etas"]}
        if all(r is not None for r in rows.values()):
            fl = problem_of(spec).floats()
            found = classify(plan, rows, max(1.0, float(np.mean(fl["y"] ** 2))))
            # one interpolator: every run that reaches the zero-loss set ends at the same point
            found["unique_interpolator"] = bool(np.linalg.matrix_rank(fl["X"]) == spec["d"])
            classes[spec["id"]] = found
    cells = phase_diagram(spec_list, classes)
    files = {"store": folder / "runs" / "sweep.jsonl", "json": folder / "study.json",
             "csv": folder / "instances.csv"}
    result = StudyRun(meta, spec_list, classes, cells, computed, reused, failed, files)
    atomic_write(files["json"], json.dumps(result.to_json(), indent=1) + "\n")
    _write_csv(files["csv"], result)
    return result


def _pending(store: Store, spec: dict, plan: dict) -> list:
    """``(eta, steps)`` of an instance's runs whose row is not yet stored."""
    return [(e, k) for e, k in zip(plan["etas"], plan["steps"], strict=True)
            if not store.has(spec["id"], Fraction(e))]


def _execute(store, spec_list, meta, etas, steps, scheduler, workers, report):
    """Run every missing task into ``store``; returns ``(computed, reused, failed)``."""
    total = len(spec_list) * (1 + etas)
    by_id = {s["id"]: s for s in spec_list}
    first = []  # (kind, spec, eta) of the tasks that can start now
    for spec in spec_list:
        plan = store.get("plan", spec["id"])
        if plan is None:
            first.append(("plan", spec, None))
        else:
            first.extend(("eta", spec, e) for e in _pending(store, spec, plan))
    done = total - len(first) - etas * sum(k == "plan" for k, _, _ in first)
    state = {"done": done, "computed": 0, "failed": []}
    report("tasks", done, total)

    def stored(rows, follow):
        """Store finished rows; a plan's row starts its instance's GD tasks (``follow``)."""
        store.add_many(rows)
        state["done"] += len(rows)
        state["computed"] += len(rows)
        for row in rows:
            if row["kind"] == "plan":
                spec = by_id[row["eta"]]
                follow([("eta", spec, e) for e in _pending(store, spec, row)])
        report("tasks", state["done"], total)

    if not first:
        pass
    elif workers == 0 and scheduler is None:
        queue = list(first)
        while queue:
            kind, spec, eta = queue.pop(0)
            try:
                row = plan_task(spec, etas, steps) if kind == "plan" else eta_task(spec, *eta)
            except Exception as exc:  # noqa: BLE001 - recorded as on Dask; a rerun retries it
                state["failed"].append(((kind, spec["id"], eta), " ".join(str(exc).split())))
                continue
            stored([row], queue.extend)
    else:
        _on_dask(first, meta, etas, steps, scheduler, workers, stored, state)
    return state["computed"], done, state["failed"]


def _key(tag: str, kind: str, spec: dict, eta) -> str:
    return f"normsharp-study-{tag}-{kind}-{spec['id']}" + ("" if eta is None else f"-{eta[0]}")


def _on_dask(first, meta, etas, steps, scheduler, workers, stored, state) -> None:
    """The tasks on a dask.distributed cluster (module notes)."""
    from distributed import Client, LocalCluster, as_completed

    tag = hashlib.sha256(json.dumps(meta, sort_keys=True).encode()).hexdigest()[:12]
    cluster = None
    if scheduler is None:
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               dashboard_address=":0", silence_logs=40)
        client = Client(cluster)
    else:
        try:
            client = Client(scheduler, timeout=10)
        except (OSError, TimeoutError, ValueError) as exc:
            raise DomainError("scheduler", scheduler, f"the address of a running Dask "
                              f"scheduler ({' '.join(str(exc).split())[:80]})") from None
    futures = {}

    def submit(tasks):
        new = []
        for kind, spec, eta in tasks:
            key = _key(tag, kind, spec, eta)
            fut = (client.submit(plan_task, spec, etas, steps, key=key, pure=False)
                   if kind == "plan" else client.submit(eta_task, spec, *eta, key=key,
                                                         pure=False))
            futures[fut.key] = (kind, spec["id"], eta)
            new.append(fut)
        return new

    ac = as_completed(submit(first), with_results=True, raise_errors=False)
    try:
        for batch in ac.batches():
            rows = []
            for fut, value in batch:
                if fut.status == "error":
                    state["failed"].append((futures[fut.key], " ".join(str(value).split())))
                else:
                    rows.append(value)
                fut.release()
            if rows:
                stored(rows, lambda tasks: ac.update(submit(tasks)))
    finally:
        for fut in list(ac.futures) if hasattr(ac, "futures") else []:
            fut.cancel()
        client.close()
        if cluster is not None:
            cluster.close()


def _write_csv(path: Path, result: StudyRun) -> None:
    cols = ["id", "n", "d", "sparsity", "seed", "class", "unique_interpolator", "converged",
            "near_converged", "etas", "diverged", "top_converged", "eta_best", "risk_best",
            "gain_over_ends", "risk_smallest_eta", "risk_largest_eta", "eta_largest_converged"]
    with atomic_open(path) as fh:
        w = csv.writer(fh)
        w.writerow(cols)
        for row in result.to_json()["instances"]:
            w.writerow(["" if row.get(c) is None else row[c] for c in cols])
