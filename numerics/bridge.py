r"""The quantization bridge: do flatter GD solutions survive quantization better? An experiment.

[BFFK25] shows that quantized networks escape the limits of computation on reals; the diagonal
network's gradient descent lands, depending on the learning rate, on interpolators of
different sharpness ([MFCKM26]). This experiment joins the two: it runs gradient descent
(:func:`numerics.audited.audited_gd`, two precisions) at several learning rates, rounds the
solution's parameters onto grids :math:`o + 2^{-b}\mathbb{Z}` of several resolutions
(:func:`theory.quantizers.quantize`, round-half-up, exact), and measures the exact rational
loss of the quantized parameters.

What is measured, per learning rate ``eta`` and resolution ``b`` (``h = 2^-b``):

* ``loss_increase``: :math:`L(Q(\theta)) - L(\theta)` on the grid through 0 (exact, with
  :math:`\theta` the higher-precision run's final parameters, as Fractions);
* ``mean_loss_increase``: its mean over grid offsets :math:`o_i = k_i h / K`, ``k_i = 0..K-1``
  chosen independently per parameter (:math:`K^P` grids; exact);
* ``prediction``: the second-order prediction :math:`\frac{h^2}{24} \operatorname{tr} H` for a
  rounding error uniform on :math:`[-h/2, h/2]` per parameter (derived here, not in either
  source): at a zero-loss point :math:`H = J^\top X^\top X J / n` and
  :math:`E[\tfrac12 \delta^\top H \delta] = \tfrac12 \tfrac{h^2}{12} \operatorname{tr} H`.
  For one sample and ``beta = w * w``, :math:`H` has rank one and
  :math:`\operatorname{tr} H = S`, the sharpness: the prediction is :math:`S h^2 / 24`.

With ``K`` offsets per parameter the rounding error of one parameter takes ``K`` equispaced
values: its second moment is :math:`\frac{h^2}{12}(1 - K^{-2}) + m^2` with mean
:math:`|m| \le h / (2K)`. So, at second order, the ratio of the offset mean to the prediction
lies in the band :math:`[1 - K^{-2}, 1 + (3P - 1) K^{-2}]` (``P`` parameters; the mean's
cross term is :math:`\tfrac12 m^\top H m \le \tfrac12 \operatorname{tr} H \, |m|^2`),
reported as ``band``; higher-order terms leave it at coarse grids.

A quantized value is used only when rounding is constant on the two precisions' values widened
tenfold by their disagreement (rounding is monotone, so checking the two ends suffices);
otherwise the row is ``undecided`` (the solution sits within its precision of a rounding
midpoint: the non-computability of exact quantization, met in practice). Nothing here is a
theorem; rows carry ``"kind": "experiment"``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import product

from theory.quantizers import quantize

from .audit import agree
from .errors import DomainError
from .problem import DEFAULT_INSTANCE, Problem

__all__ = ["BridgeResult", "bridge_experiment", "exact_loss", "zero_loss_trace",
           "DEFAULT_ETAS", "DEFAULT_BITS", "DEFAULT_OFFSETS", "MAX_GRIDS"]

DEFAULT_ETAS = tuple(Fraction(v) for v in ("1/10", "3/10", "1/2", "7/10", "4/5", "9/10"))
DEFAULT_BITS = (2, 4, 6, 8, 10)
#: offsets per parameter (``K``); the mean runs over ``K^P`` grids
DEFAULT_OFFSETS = 8
#: most offset grids per row
MAX_GRIDS = 100_000
#: widening of the two precisions' disagreement when deciding a rounding
WIDEN = 10


def exact_loss(problem: Problem, theta) -> Fraction:
    """``L(theta) = 1/(2n) ||X beta(theta) - y||^2``, exactly (Fractions)."""
    P = problem.parametrisation
    beta = [P.beta(tuple(block[i] for block in theta)) for i in range(problem.d)]
    res = [sum((x * b for x, b in zip(row, beta)), Fraction(0)) - y
           for row, y in zip(problem.X, problem.y)]
    return sum((r * r for r in res), Fraction(0)) / (2 * problem.n)


def zero_loss_trace(problem: Problem, theta) -> Fraction:
    """``tr H`` of the Gauss-Newton part ``J^T X^T X J / n`` (the Hessian at zero loss)."""
    P = problem.parametrisation
    col = [sum((row[i] ** 2 for row in problem.X), Fraction(0)) for i in range(problem.d)]
    jsq = [P.jacobian_sq(tuple(block[i] for block in theta)) for i in range(problem.d)]
    return sum((c * j for c, j in zip(col, jsq)), Fraction(0)) / problem.n


def _rounded(low, high, b, offset):
    """The rounding of a value known from two precisions, or ``None`` when it is not
    constant on their widened disagreement."""
    spread = abs(high - low) * WIDEN
    a, z = quantize(high - spread, b, offset=offset), quantize(high + spread, b, offset=offset)
    return a if a == z else None


def _quantized(low_theta, high_theta, b, offsets):
    """``Q(theta)`` (blocks) for one offset per parameter, or ``None`` (undecided)."""
    out, k = [], 0
    for lo_block, hi_block in zip(low_theta, high_theta):
        block = []
        for lo, hi in zip(lo_block, hi_block):
            q = _rounded(lo, hi, b, offsets[k])
            if q is None:
                return None
            block.append(q)
            k += 1
        out.append(tuple(block))
    return tuple(out)


@dataclass
class BridgeResult:
    """The experiment's table (:meth:`to_json`) and the runs it came from."""

    problem: Problem
    etas: tuple
    bits: tuple
    offsets: int
    runs: list = field(default_factory=list)
    rows: list = field(default_factory=list)

    def to_json(self) -> dict:
        return {"kind": "experiment", "what": "loss increase of GD solutions quantized onto "
                "o + 2^-b Z against the solution's sharpness", "instance": self.problem.key(),
                "etas": [str(e) for e in self.etas], "bits": list(self.bits),
                "offsets_per_parameter": self.offsets, "band": [float(v) for v in self.band],
                "runs": self.runs, "rows": self.rows}

    @property
    def band(self) -> tuple:
        """The second-order band of ``mean / prediction`` (see the module notes)."""
        K2, P = self.offsets ** 2, self.problem.k * self.problem.d
        return 1 - Fraction(1, K2), 1 + Fraction(3 * P - 1, K2)

    def decided_rows(self) -> list:
        return [r for r in self.rows if r["status"] == "decided"]


def bridge_experiment(problem: Problem | None = None, etas=DEFAULT_ETAS, bits=DEFAULT_BITS, *,
                      steps: int = 200_000, offsets: int = DEFAULT_OFFSETS,
                      precision: int | None = None,
                      progress: Callable[[str, int, int], None] | None = None) -> BridgeResult:
    """Run the quantization bridge experiment (see the module notes).

    Parameters
    ----------
    problem : Problem (default: the default instance ``x = (1, 1/2)``, ``y = 1``,
        ``alpha = 1/100``, shared weights)
    etas : learning rates ``> 0``
    bits : resolutions ``b >= 0`` (grid step ``2^-b``)
    steps : GD step budget per run
    offsets : ``K >= 1`` offsets per parameter for the mean over grids
    precision : the audit pair (:func:`numerics.audited.audited_gd`)
    progress : callable ``(stage, done, total)``

    Returns
    -------
    BridgeResult
        One row per learning rate and resolution; runs that did not converge give rows with
        ``status`` ``"not_converged"`` (or ``"diverged"``) and no measurement.
    """
    from .audited import audited_gd

    problem = Problem(**DEFAULT_INSTANCE) if problem is None else problem
    if not isinstance(problem, Problem):
        raise DomainError("problem", type(problem).__name__, "a numerics.Problem")
    if isinstance(offsets, bool) or not isinstance(offsets, int) or offsets < 1:
        raise DomainError("offsets", offsets, "an integer >= 1")
    bits = tuple(bits)
    for b in bits:
        if isinstance(b, bool) or not isinstance(b, int) or not 0 <= b <= 60:
            raise DomainError("bits", b, "integers 0..60 (grid step 2^-b)")
    n_params = problem.k * problem.d
    if offsets ** n_params > MAX_GRIDS:
        raise DomainError("offsets", offsets, f"offsets^{n_params} <= {MAX_GRIDS} grids per "
                          "row (fewer offsets for this many parameters)")
    etas = tuple(Fraction(e) for e in etas)
    result = BridgeResult(problem, etas, bits, offsets)
    for i, eta in enumerate(etas):
        if progress is not None:
            progress(f"bridge: GD at eta = {eta}", i, len(etas))
        run = audited_gd(problem, eta, steps, precision=precision)
        S = run.quantities.get("sharpness")
        info = {"eta": str(eta), "status": run.status, "steps": run.high.steps,
                "sharpness": None if S is None else S.json(),
                "precisions": [run.low.precision.label, run.high.precision.label]}
        result.runs.append(info)
        if run.status != "converged":
            result.rows += [{"kind": "experiment", "eta": str(eta), "b": b,
                             "status": run.status} for b in bits]
            continue
        lo_theta, hi_theta = run.low.theta, run.high.theta
        cap = run.cap
        tr = agree("trace_H", zero_loss_trace(problem, lo_theta),
                   zero_loss_trace(problem, hi_theta), cap)
        info["trace_H"] = tr.json()
        base = exact_loss(problem, hi_theta)
        for b in bits:
            result.rows.append(_row(problem, eta, b, offsets, lo_theta, hi_theta, base,
                                    tr, S))
    if progress is not None:
        progress("bridge", len(etas), len(etas))
    return result


def _row(problem, eta, b, K, lo_theta, hi_theta, base, tr, S) -> dict:
    h = Fraction(1, 2 ** b)
    row = {"kind": "experiment", "eta": str(eta), "b": b, "h": str(h),
           "sharpness": None if S is None else S.json(), "trace_H": tr.json()}
    n_params = sum(len(block) for block in hi_theta)
    plain = _quantized(lo_theta, hi_theta, b, (Fraction(0),) * n_params)
    grids = list(product([Fraction(k, K) * h for k in range(K)], repeat=n_params))
    quantized = [_quantized(lo_theta, hi_theta, b, offs) for offs in grids]
    if plain is None or any(q is None for q in quantized):
        row.update(status="undecided", reason="a parameter lies within the two precisions' "
                   "disagreement of a rounding midpoint")
        return row
    increase = exact_loss(problem, plain) - base
    mean = sum((exact_loss(problem, q) for q in quantized), Fraction(0)) / len(grids) - base
    prediction = h * h / 24 * tr.value
    row.update(status="decided", loss_gd=float(base), quantized=[[str(v) for v in blk]
                                                                 for blk in plain],
               loss_increase=str(increase), loss_increase_float=float(increase),
               mean_loss_increase=str(mean), mean_loss_increase_float=float(mean),
               grids=len(grids), prediction=float(prediction),
               ratio=float(mean / prediction) if prediction else None)
    return row
