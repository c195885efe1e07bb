"""Independent routes for the computability claims (C1-C8), and the instances they are run on.

Nothing here calls the function under test to produce an expected value:

* :func:`network_output` evaluates a network from its flat parameter vector (unit-major, as
  :meth:`theory.quantized.Network.parameters` documents) in Fractions, unit by unit, without
  the scaled integers of the search; :func:`sympy_output` evaluates it with sympy matrices;
* :func:`brute_force_fit` and :func:`brute_force_erm` enumerate every grid candidate in
  lexicographic order (``itertools.product``): no pruning, no layer-wise search, no memo;
* the classifier and detector programs (:class:`Program`) are arbitrary halting classifiers of
  names, drawn at random, for the adversary to beat.

The instance types are frozen and hashable, and describe themselves exactly (``key``,
``describe``), as :mod:`proofs_check.instances` asks of every instance.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from itertools import product

__all__ = ["network_output", "sympy_output", "fitted", "risk", "brute_force_fit",
           "brute_force_fit_integers",
           "brute_force_erm", "FitCase", "Program", "ThresholdCase", "QuantCase",
           "fit_cases", "planted_cases", "programs", "threshold_cases", "quant_cases",
           "parameter_count"]

F = Fraction


def parameter_count(widths) -> int:
    return sum(d * (d_in + 1) for d_in, d in zip(widths, widths[1:]))


def network_output(widths, params, x) -> tuple:
    """The output of the network with flat unit-major ``params`` at ``x`` (Fractions)."""
    a, k, L = [F(v) for v in x], 0, len(widths) - 1
    for layer in range(1, L + 1):
        z = []
        for _ in range(widths[layer]):
            total = F(0)
            for j in range(widths[layer - 1]):
                total += F(params[k]) * a[j]
                k += 1
            z.append(total + F(params[k]))
            k += 1
        a = z if layer == L else [v if v > 0 else F(0) for v in z]
    return tuple(a)


def sympy_output(widths, params, x) -> tuple:
    """The same output through sympy matrices and ``Max(0, .)`` (a third route)."""
    import sympy as sp

    a, k, L = sp.Matrix([sp.Rational(str(v)) for v in x]), 0, len(widths) - 1
    for layer in range(1, L + 1):
        d_in, d = widths[layer - 1], widths[layer]
        rows = []
        for _ in range(d):
            rows.append([sp.Rational(str(v)) for v in params[k:k + d_in + 1]])
            k += d_in + 1
        W = sp.Matrix([r[:-1] for r in rows])
        b = sp.Matrix([r[-1] for r in rows])
        z = W * a + b
        a = z if layer == L else z.applyfunc(lambda v: sp.Max(0, v))
    return tuple(F(int(v.p), int(v.q)) for v in a)


def fitted(output, label, labels) -> bool:
    """Whether one output vector fits one label."""
    if labels == "exact":
        return output[0] == label
    if labels == "sign":
        return label * output[0] > 0
    c = int(label)
    return all(output[c] > output[u] for u in range(len(output)) if u != c)


def risk(widths, params, X, y, labels) -> Fraction:
    """Mean squared error (exact) or fraction of misfitted samples."""
    outs = [network_output(widths, params, x) for x in X]
    if labels == "exact":
        return sum(((o[0] - t) ** 2 for o, t in zip(outs, y)), F(0)) / len(X)
    return F(sum(1 for o, t in zip(outs, y) if not fitted(o, t, labels)), len(X))


def brute_force_fit(widths, grid, X, y, labels):
    """``(found, checked, params)``: the first fitting candidate in lexicographic order."""
    G = sorted(set(F(g) for g in grid))
    checked = 0
    for params in product(G, repeat=parameter_count(widths)):
        checked += 1
        if all(fitted(network_output(widths, params, x), t, labels) for x, t in zip(X, y)):
            return True, checked, params
    return False, checked, None


def brute_force_erm(widths, grid, X, y, labels):
    """``(least risk, first minimiser)`` over every candidate."""
    G = sorted(set(F(g) for g in grid))
    best = None
    for params in product(G, repeat=parameter_count(widths)):
        r = risk(widths, params, X, y, labels)
        if best is None or r < best[0]:
            best = (r, params)
    return best


def brute_force_fit_integers(widths, grid, X, y, labels, *, chunk: int = 1 << 16):
    """:func:`brute_force_fit` for integer grids and integer data, vectorised (numpy int64,
    exact while every intermediate stays below ``2^62``, which is checked): every candidate in
    lexicographic order, in chunks, as mixed-radix digits. ``(found, checked, params)``."""
    import numpy as np

    G = np.array(sorted(set(int(g) for g in grid)), dtype=np.int64)
    Xa = np.array([[int(v) for v in row] for row in X], dtype=np.int64)
    P, base = parameter_count(widths), len(G)
    bound = max(1, int(np.abs(G).max())) * max(1, int(np.abs(Xa).max()))
    for _ in widths[1:]:
        bound = bound * max(1, int(np.abs(G).max())) * (max(widths) + 1)
    if bound >= 2 ** 62:
        raise ValueError("int64 could overflow: use brute_force_fit")
    space = base ** P
    for start in range(0, space, chunk):
        idx = np.arange(start, min(space, start + chunk), dtype=np.int64)
        digits = np.empty((len(idx), P), dtype=np.int64)
        rest = idx.copy()
        for k in range(P - 1, -1, -1):
            digits[:, k] = rest % base
            rest //= base
        W = G[digits]  # candidates x parameters
        a = np.broadcast_to(Xa, (len(idx),) + Xa.shape)  # candidates x samples x d
        k = 0
        for layer, (d_in, d) in enumerate(zip(widths, widths[1:]), 1):
            blocks = W[:, k:k + d * (d_in + 1)].reshape(len(idx), d, d_in + 1)
            k += d * (d_in + 1)
            z = np.einsum("csj,cuj->csu", a, blocks[:, :, :-1]) + blocks[:, None, :, -1]
            a = z if layer == len(widths) - 1 else np.maximum(z, 0)
        if labels == "exact":
            ok = np.all(a[:, :, 0] == np.array([int(v) for v in y]), axis=1)
        elif labels == "sign":
            ok = np.all(a[:, :, 0] * np.array([int(v) for v in y]) > 0, axis=1)
        else:
            c = np.array([int(v) for v in y])
            top = np.take_along_axis(a, c[None, :, None], axis=2)
            others = np.where(np.arange(a.shape[2])[None, None, :] == c[None, :, None],
                              np.iinfo(np.int64).min, a)
            ok = np.all(top[:, :, 0] > others.max(axis=2), axis=1)
        hits = np.flatnonzero(ok)
        if len(hits):
            first = int(hits[0])
            return True, start + first + 1, tuple(F(int(v)) for v in W[first])
    return False, space, None


# -- instances -----------------------------------------------------------------------------------
def _s(values) -> list:
    return [str(v) for v in values]


@dataclass(frozen=True)
class FitCase:
    """A quantized fitting problem; ``params`` is a planted network (or ``None``)."""

    widths: tuple
    grid: tuple
    X: tuple
    y: tuple
    labels: str
    params: tuple | None = None
    extra: tuple = ()

    @property
    def space(self) -> int:
        return len(self.grid) ** parameter_count(self.widths)

    def key(self) -> dict:
        out = {"widths": list(self.widths), "grid": _s(self.grid),
               "X": [_s(r) for r in self.X], "y": _s(self.y), "labels": self.labels}
        if self.params is not None:
            out["planted"] = _s(self.params)
        if self.extra:
            out["extra_grid"] = _s(self.extra)
        return out

    def describe(self) -> str:
        return ", ".join(f"{k}={v}" for k, v in self.key().items())


@dataclass(frozen=True)
class Program:
    """A halting classifier (or failure detector) of names, drawn at random.

    It reads the precisions ``reads`` in order and answers by the sign of
    ``sum_k weights_k q_k - t - offset`` (``flip`` swaps the sides; ``strict`` decides the
    tie: ``> 0`` instead of ``>= 0``). As a detector it returns the side's truth value.
    """

    reads: tuple
    weights: tuple
    offset: Fraction
    flip: bool
    strict: bool

    def __call__(self, name, t):
        v = sum((w * name(n) for w, n in zip(self.weights, self.reads)), F(0)) - t - self.offset
        above = v > 0 if self.strict else v >= 0
        return "above" if above != self.flip else "below"

    def key(self) -> dict:
        return {"reads": list(self.reads), "weights": _s(self.weights),
                "offset": str(self.offset), "flip": self.flip, "strict": self.strict}


@dataclass(frozen=True)
class ThresholdCase:
    """A threshold ``t``, a point ``x``, a budget or precision, a name kind and programs."""

    t: Fraction
    x: Fraction
    budget: int
    kind: str
    program: Program | None = None
    detector: Program | None = None
    spec: str = ""

    def name(self):
        """A valid name of ``x`` of the drawn kind: ``exact`` (``q_n = x``), ``dyadic``,
        ``toward`` / ``away`` (``x -+ 2^-n``, the farthest a name may stray, toward or away
        from ``t``)."""
        from theory.names import Name, dyadic_name, exact_name

        x, t = self.x, self.t
        if self.kind == "exact":
            return exact_name(x)
        if self.kind == "dyadic":
            return dyadic_name(x)
        s = 1 if t >= x else -1
        if self.kind == "away":
            s = -s
        return Name(lambda n: x + s * F(1, 2 ** n), f"{self.kind}({x})")

    def key(self) -> dict:
        out = {"t": str(self.t), "x": str(self.x), "budget": self.budget, "kind": self.kind}
        for k in ("program", "detector"):
            if getattr(self, k) is not None:
                out[k] = getattr(self, k).key()
        if self.spec:
            out["classifier"] = self.spec
        return out

    def describe(self) -> str:
        return ", ".join(f"{k}={v}" for k, v in self.key().items())


@dataclass(frozen=True)
class QuantCase:
    """A rational ``x`` quantized at ``b`` bits (reading precision ``n``, grid offset)."""

    x: Fraction
    b: int
    n: int
    offset: Fraction
    kind: str

    def key(self) -> dict:
        return {"x": str(self.x), "b": self.b, "n": self.n, "offset": str(self.offset),
                "kind": self.kind}

    def describe(self) -> str:
        return ", ".join(f"{k}={v}" for k, v in self.key().items())


# -- strategies (hypothesis imported when one is built) -------------------------------------------
SMALL = tuple(F(v) for v in ("-2", "-1", "-1/2", "0", "1/2", "1", "2"))


def _rationals(st, max_num=6, max_den=4):
    return st.builds(F, st.integers(-max_num, max_num), st.integers(1, max_den))


def fit_cases(*, max_space: int = 2000, labels=("exact", "sign", "argmax")):
    """Small fitting problems (space ``<= max_space``) for the brute-force comparisons."""
    from hypothesis import strategies as st

    @st.composite
    def build(draw):
        mode = draw(st.sampled_from(labels))
        d0 = draw(st.integers(1, 2))
        hidden = draw(st.lists(st.integers(1, 2), min_size=0, max_size=2))
        K = draw(st.integers(2, 3)) if mode == "argmax" else 1
        widths = (d0, *hidden, K)
        P = parameter_count(widths)
        size = 1
        while (size + 1) ** P <= max_space and size < 4:
            size += 1
        grid = tuple(sorted(draw(st.sets(st.sampled_from(SMALL), min_size=1,
                                         max_size=size))))
        n = draw(st.integers(1, 4))
        X = tuple(tuple(draw(st.sampled_from(SMALL[1:6])) for _ in range(d0))
                  for _ in range(n))
        if mode == "exact":
            y = tuple(draw(st.sampled_from(SMALL)) for _ in range(n))
        elif mode == "sign":
            y = tuple(draw(st.sampled_from((F(-1), F(1)))) for _ in range(n))
        else:
            y = tuple(F(draw(st.integers(0, K - 1))) for _ in range(n))
        return FitCase(widths, grid, X, y, mode)

    return build().filter(lambda c: c.space <= max_space)


def planted_cases():
    """A network planted on a larger grid, and data labelled by it (exact or its signs)."""
    from hypothesis import strategies as st

    @st.composite
    def build(draw):
        widths = draw(st.sampled_from([(1, 1), (2, 1), (2, 1, 1), (2, 2, 1), (2, 3, 1),
                                       (1, 2, 1), (2, 2, 2, 1)]))
        grid = tuple(sorted(draw(st.sets(st.sampled_from(SMALL), min_size=2, max_size=5))))
        params = tuple(draw(st.sampled_from(grid)) for _ in range(parameter_count(widths)))
        n = draw(st.integers(1, 6))
        X = tuple(tuple(draw(_rationals(st, 4, 3)) for _ in range(widths[0]))
                  for _ in range(n))
        outs = [network_output(widths, params, x)[0] for x in X]
        mode = draw(st.sampled_from(("exact", "sign")))
        if mode == "sign":
            keep = [i for i, o in enumerate(outs) if o != 0]
            if not keep:
                mode = "exact"
            else:
                X = tuple(X[i] for i in keep)
                return FitCase(widths, grid, X, tuple(F(1 if outs[i] > 0 else -1)
                                                      for i in keep), mode, params)
        return FitCase(widths, grid, X, tuple(outs), mode, params)

    return build()


def programs(*, max_read: int = 40):
    """Random halting classifiers of names (:class:`Program`)."""
    from hypothesis import strategies as st

    @st.composite
    def build(draw):
        reads = tuple(draw(st.lists(st.integers(0, max_read), min_size=0, max_size=3)))
        if reads:
            weights = tuple(draw(_rationals(st, 3, 2)) for _ in reads[:-1])
            weights = weights + (1 - sum(weights, F(0)),)  # an affine average of reads
        else:
            weights = ()
        offset = draw(st.sampled_from((F(0), F(0), F(1, 2 ** 30), F(-1, 2 ** 30), F(1, 8))))
        return Program(reads, weights, offset, draw(st.booleans()), draw(st.booleans()))

    return build()


def threshold_cases(*, with_programs: bool = False, with_detector: bool = False,
                    specs: tuple = ()):
    """A threshold, a point (often at or very near it), a budget and a name kind."""
    from hypothesis import strategies as st

    @st.composite
    def build(draw):
        t = draw(_rationals(st, 8, 6))
        budget = draw(st.integers(0, 60))
        near = draw(st.sampled_from(("equal", "within", "edge", "far")))
        if near == "equal":
            x = t
        elif near == "edge":  # exactly 2 * 2^-B away: the exit bound's edge
            x = t + draw(st.sampled_from((1, -1))) * F(2, 2 ** budget)
        elif near == "within":
            x = t + draw(st.integers(-64, 64)) * F(1, 2 ** (budget + 5))
        else:
            x = draw(_rationals(st, 8, 6))
        kind = draw(st.sampled_from(("exact", "dyadic", "toward", "away")))
        return ThresholdCase(t, x, budget, kind,
                             draw(programs()) if with_programs else None,
                             draw(programs()) if with_detector else None,
                             draw(st.sampled_from(specs)) if specs else "")

    return build()


def quant_cases():
    """Rationals to quantize, often at or near a midpoint of the grid."""
    from hypothesis import strategies as st

    @st.composite
    def build(draw):
        b = draw(st.integers(0, 12))
        n = draw(st.integers(0, 16))
        offset = draw(st.sampled_from((F(0), F(1, 3), F(-1, 8))))
        kind = draw(st.sampled_from(("any", "midpoint", "near-midpoint")))
        h = F(1, 2 ** b)
        if kind == "any":
            x = draw(_rationals(st, 50, 16))
        else:
            m = offset + (draw(st.integers(-8, 8)) + F(1, 2)) * h
            x = m if kind == "midpoint" else m + draw(st.integers(-4, 4)) * F(1, 2 ** (n + 1))
        return QuantCase(x, b, n, offset, kind)

    return build()
