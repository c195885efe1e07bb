r"""What a study computes: its instances, each instance's learning-rate grid, and the tasks.

Instances
---------
A study is a grid of cells ``(n, d, s)`` and ``instances`` random instances per cell. Instance
``i`` of cell ``(n, d, s)`` is :func:`numerics.instances.random_instance` ``(n, d, s, noise,
design, seed=seed_i)`` with

.. math:: seed_i = \lfloor \mathrm{sha256}(\texttt{"normsharp-study/1:K:n:d:s:i"})_{0..8} / 2
          \rfloor,

the first 8 bytes of the digest as a big-endian integer, halved (``K`` the study's seed): a
function of the study's arguments alone, different for every instance, whatever the other
cells are.

Learning rates
--------------
Each instance's grid is relative to its own scale ``2/S(beta_N)``, the stability threshold of
its exact minimum-norm interpolator (:func:`numerics.interpolators.min_norm_interpolator`, an
exact LP; its sharpness from an exact enclosure), rounded to :data:`SCALE_DIGITS` significant
digits: ``eta_j = scale * r_j`` with ``r_j = R_LO (R_HI/R_LO)^{j/(K-1)}`` (``j = 0..K-1``,
geometric from :data:`R_LO` = 1/4 to :data:`R_HI` = 3) rounded to :data:`RATIO_DIGITS`
digits by :mod:`decimal` (libmpdec's own arithmetic: no libm). Every learning rate is an exact
decimal, the same on every machine (the LP's optimal vertex is unique for data in general
position; ties would pick the vertex the exact pivots confirm).

Tasks
-----
* :func:`plan_task` ``(spec, count, steps)``: the instance's grid and step budgets (a row of
  kind ``"plan"`` keyed by the instance's id);
* :func:`eta_task` ``(spec, eta, steps)``: one float64 GD run,
  :func:`numerics.sweep.tasks.grid_task` with one learning rate (a row of kind = the
  instance's id, keyed by ``eta``), its population risk ``||beta - beta*||^2 + sigma^2``
  (identity covariance).

Both are pure functions of their JSON arguments: running one twice gives the same row.
"""

from __future__ import annotations

import hashlib
from decimal import Context, Decimal
from fractions import Fraction
from functools import lru_cache

from ..errors import DomainError
from ..instances import GENERATOR_VERSION, random_instance

__all__ = ["FORMAT", "SCALE_DIGITS", "RATIO_DIGITS", "instance_seed", "instance_id", "specs",
           "ratios", "plan_task", "eta_task", "problem_of"]

FORMAT = "normsharp-study/1"
#: significant digits of an instance's scale 2/S(beta_N), and of the grid's ratios
SCALE_DIGITS = 4
RATIO_DIGITS = 3
#: the grid's ends, relative to the instance's scale 2/S(beta_N)
R_LO, R_HI = Fraction(1, 4), Fraction(3)
#: the predictions the sweep's task needs: none (the risk is against the instance's beta*)
NO_CONTEXT = {"beta_gf": None, "mu": None, "cov_term": None}


def instance_seed(seed: int, n: int, d: int, s: int, i: int) -> int:
    """The seed of instance ``i`` of cell ``(n, d, s)`` (module notes)."""
    text = f"{FORMAT}:{seed}:{n}:{d}:{s}:{i}".encode()
    return int.from_bytes(hashlib.sha256(text).digest()[:8], "big") >> 1


def instance_id(n: int, d: int, s: int, i: int) -> str:
    """``n5-d20-s3-i007``: an instance's key in the store."""
    return f"n{n}-d{d}-s{s}-i{i:03d}"


def specs(ns, ds, sparsities, instances: int, *, seed: int, alpha, param: str = "product",
          depth: int = 2, noise="0", design: str = "gaussian") -> list[dict]:
    """One JSON-ready spec per instance (cells with ``s > d`` are skipped), in a fixed
    order."""
    out = []
    for n in ns:
        for d in ds:
            for s in sparsities:
                if s > d:
                    continue
                for i in range(instances):
                    out.append({"id": instance_id(n, d, s, i), "n": n, "d": d, "sparsity": s,
                                "index": i, "seed": instance_seed(seed, n, d, s, i),
                                "noise": str(noise), "design": design, "alpha": str(alpha),
                                "param": param, "depth": depth,
                                "generator_version": GENERATOR_VERSION})
    if not out:
        raise DomainError("sparsity", list(sparsities), "at least one sparsity <= some d")
    return out


def ratios(count: int) -> list[Fraction]:
    """The grid's ratios ``r_j`` (module notes), exact decimals from R_LO to R_HI."""
    if count < 3:
        raise DomainError("etas", count, "at least 3 learning rates per instance")
    wide, short = Context(prec=30), Context(prec=RATIO_DIGITS)
    lo = wide.divide(Decimal(R_LO.numerator), Decimal(R_LO.denominator))
    hi = wide.divide(Decimal(R_HI.numerator), Decimal(R_HI.denominator))
    return [Fraction(short.plus(wide.multiply(lo, wide.power(
        wide.divide(hi, lo), wide.divide(Decimal(j), Decimal(count - 1))))))
        for j in range(count)]


def _round(q: Fraction, digits: int) -> Fraction:
    """``q > 0`` rounded to ``digits`` significant decimal digits (half even), exactly."""
    ctx = Context(prec=digits)
    return Fraction(ctx.divide(Decimal(q.numerator), Decimal(q.denominator)))


@lru_cache(maxsize=64)
def _instance(spec_key: tuple):
    spec = dict(spec_key)
    return random_instance(spec["n"], spec["d"], spec["sparsity"], noise=spec["noise"],
                           design=spec["design"], seed=spec["seed"])


def problem_of(spec: dict):
    """The :class:`~numerics.problem.Problem` of a spec (the instance cached per process)."""
    inst = _instance(tuple(sorted(spec.items())))
    if inst.provenance["version"] != spec["generator_version"]:
        raise DomainError("generator_version", spec["generator_version"],
                          f"the installed generator's version {inst.provenance['version']}")
    return inst.problem(Fraction(spec["alpha"]), spec["param"], spec["depth"])


def plan_task(spec: dict, count: int, steps: int) -> dict:
    """The plan row of an instance: its scale, its ``count`` learning rates (exact text) and
    each one's step budget ``ceil(steps / r_j)`` (the same flow time ``eta * steps`` for
    every learning rate: ``steps`` is the budget at ``eta = scale``)."""
    from ..interpolators import min_norm_interpolator, sharpness_enclosure

    problem = problem_of(spec)
    mn = min_norm_interpolator(problem.X, problem.y, problem.param, problem.depth)
    _, hi = sharpness_enclosure(problem.X, mn.beta, problem.param, problem.depth)
    scale = _round(2 / hi, SCALE_DIGITS)
    rs = ratios(count)
    return {"kind": "plan", "eta": spec["id"], "scale": str(scale),
            "S_min_norm": float(hi), "l1_min_norm": str(mn.l1_norm),
            "etas": [str(scale * r) for r in rs], "steps": [-(-steps // r) for r in rs]}


def eta_task(spec: dict, eta: str, steps: int) -> dict:
    """One float64 GD run of an instance (:func:`numerics.sweep.tasks.grid_task`)."""
    from ..sweep.tasks import grid_task

    problem = problem_of(spec)
    (row,) = grid_task(problem, (Fraction(eta),), steps, spec["id"], NO_CONTEXT)
    return row
