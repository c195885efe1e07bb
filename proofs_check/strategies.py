"""Hypothesis strategies for diagonal-network problems, with the edge cases built in.

Public: use them in your own property-based tests. Every strategy draws *exact* data
(:class:`fractions.Fraction`) unless ``exact=False`` (then the entries are binary floats, stored
as the Fractions of their exact values, so theory and numerics still see the same numbers).
Numbers are built from small numerators and denominators, so hypothesis shrinks a failing
instance toward simple values (``1``, ``1/2``), small ``d`` and the first branch of every choice.

Edges the strategies reach on purpose (``Instance.edge`` names the one aimed at):

* ``ties``: repeated entries of ``x`` (optimal faces instead of vertices, R2/R3);
* ``tiny-alpha`` / ``large-alpha``: ``alpha`` down to ``1e-12`` and up to ``10``;
* ``threshold``: ``eta`` exactly ``1/(2 y x_max)`` or ``1/(2 y x_min)`` (R5);
* ``dead-factor``: ``eta = 1/(2 r_0 x_i)`` exactly, so the factor ``1 - 2 eta r_0 x_i`` of R7 is
  exactly zero and coordinate ``i`` dies at the first step;
* ``d`` from 2 to 8.

Examples
--------
>>> from hypothesis import given, settings
>>> from proofs_check.strategies import problems
>>> @settings(max_examples=5, database=None, derandomize=True)
... @given(problems(d_max=3))
... def test_positive(inst):
...     assert min(inst.x) > 0 and inst.y > 0 and inst.alpha > 0
>>> test_positive()
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from hypothesis import strategies as st

__all__ = [
    "Instance", "rationals", "features", "labels", "alphas", "learning_rates", "problems",
    "multi_sample_problems", "zero_loss_points", "dead_factor_problems", "weights",
    "parameter_points", "Transformed", "transformed",
    "TINY_ALPHAS", "LARGE_ALPHAS",
]

#: the tiny initialisation scales drawn by :func:`alphas`
TINY_ALPHAS = tuple(Fraction(1, 10**k) for k in (4, 6, 8, 12))
#: the large initialisation scales drawn by :func:`alphas`
LARGE_ALPHAS = (Fraction(2), Fraction(5), Fraction(10))


@dataclass(frozen=True)
class Instance:
    """One generated problem: exact data, initialisation scale, optional step and ground truth.

    Attributes
    ----------
    X : tuple of tuples of Fraction
        The ``n x d`` data (one row for one sample).
    y : Fraction (one sample) or tuple of Fraction (``n`` samples)
    alpha : Fraction, ``alpha > 0``
    eta : Fraction or None
    beta_star : tuple of Fraction or None
    param : ``"shared"``, ``"product"`` or ``"difference"``
    edge : str
        The edge case the strategy aimed at (``""`` for a generic draw).
    theta : tuple of tuples of Fraction, or None
        A parameter point: ``(w,)`` (shared) or ``(u, v)`` (product, difference), for claims
        about the loss landscape at a point (R1, E1, E2).
    """

    X: tuple
    y: object
    alpha: Fraction
    eta: Fraction | None = None
    beta_star: tuple | None = None
    param: str = "shared"
    edge: str = ""
    theta: tuple | None = None

    @property
    def n(self) -> int:
        return len(self.X)

    @property
    def d(self) -> int:
        return len(self.X[0])

    @property
    def x(self) -> tuple:
        """The single sample (one-sample instances)."""
        if self.n != 1:
            raise ValueError("x is defined for one-sample instances only")
        return self.X[0]

    @property
    def ys(self) -> tuple:
        """The labels as a tuple (length ``n``)."""
        return self.y if isinstance(self.y, tuple) else (self.y,)

    def problem(self, **changes):
        """The :class:`numerics.Problem` of this instance (``changes`` override fields)."""
        from numerics.problem import Problem

        data = self.X[0] if isinstance(self.y, Fraction) else [list(r) for r in self.X]
        kw = dict(param=self.param, beta_star=self.beta_star)
        kw.update(changes)
        return Problem(data, self.y, self.alpha, **kw)

    def replace(self, **changes) -> Instance:
        from dataclasses import replace

        return replace(self, **changes)

    def key(self) -> dict:
        """Exact JSON description (numbers as strings such as ``"1/2"``), enough to reproduce."""
        s = str
        out = {"x": [s(v) for v in self.X[0]]} if isinstance(self.y, Fraction) else {
            "X": [[s(v) for v in r] for r in self.X]}
        out["y"] = s(self.y) if isinstance(self.y, Fraction) else [s(v) for v in self.y]
        out["alpha"] = s(self.alpha)
        if self.eta is not None:
            out["eta"] = s(self.eta)
        if self.beta_star is not None:
            out["beta_star"] = [s(v) for v in self.beta_star]
        if self.param != "shared":
            out["param"] = self.param
        if self.theta is not None:
            out["theta"] = [[s(v) for v in t] for t in self.theta]
        if self.edge:
            out["edge"] = self.edge
        return out

    def describe(self) -> str:
        """One line, exact numbers."""
        k = self.key()
        return ", ".join(f"{name}={_text(v)}" for name, v in k.items())


def _text(v) -> str:
    if isinstance(v, list):
        return "(" + ", ".join(_text(u) for u in v) + ")"
    return str(v)


# ----------------------------------------------------------------------------- numbers
def rationals(min_value=Fraction(1, 8), max_value=8, max_denominator: int = 8,
              exact: bool = True) -> st.SearchStrategy:
    """Rationals ``p/q`` in ``[min_value, max_value]`` with ``q <= max_denominator``.

    Shrinks toward ``q = 1`` and the smallest admissible numerator (``1`` when it is in range).
    With ``exact=False``: floats in the range, as the Fractions of their binary values.
    """
    lo, hi = Fraction(min_value), Fraction(max_value)
    if lo > hi:
        raise ValueError(f"min_value = {lo} > max_value = {hi}")
    if not exact:
        return st.floats(float(lo), float(hi), allow_nan=False, allow_infinity=False,
                         allow_subnormal=False).map(Fraction)

    def numerators(q: int):
        a, b = math.ceil(lo * q), math.floor(hi * q)
        if a > b:
            return st.nothing()
        return st.integers(a, b).map(lambda p: Fraction(p, q))

    return st.integers(1, max_denominator).flatmap(numerators)


def features(d_min: int = 2, d_max: int = 8, *, ties: bool = True, distinct: bool = False,
             min_value=Fraction(1, 8), max_value=4, max_denominator: int = 8,
             exact: bool = True) -> st.SearchStrategy:
    """Positive feature vectors ``x`` of length ``d_min..d_max`` (tuples of Fraction).

    ``ties=True`` lets entries repeat earlier ones (the strategy decides per entry, so a
    shrunk counterexample keeps a tie only when it needs it). ``distinct=True`` forbids ties.
    """
    if not 1 <= d_min <= d_max:
        raise ValueError(f"need 1 <= d_min <= d_max, got {d_min}, {d_max}")
    value = rationals(min_value, max_value, max_denominator, exact)

    @st.composite
    def draw_x(draw):
        d = draw(st.integers(d_min, d_max))
        if distinct:
            return tuple(draw(st.lists(value, min_size=d, max_size=d, unique=True)))
        out: list[Fraction] = []
        for i in range(d):
            if ties and i and draw(st.booleans()):
                out.append(out[draw(st.integers(0, i - 1))])
            else:
                out.append(draw(value))
        return tuple(out)

    return draw_x()


def labels(min_value=Fraction(1, 4), max_value=4, max_denominator: int = 4,
           exact: bool = True) -> st.SearchStrategy:
    """Positive labels ``y`` (Fractions); shrink toward ``1``."""
    return rationals(min_value, max_value, max_denominator, exact)


def alphas(*, tiny: bool = True, large: bool = True, min_value=Fraction(1, 100),
           max_value=1, exact: bool = True) -> st.SearchStrategy:
    """Initialisation scales: moderate rationals, and (optionally) the tiny and large edges.

    Shrinks toward the moderate branch. The tiny branch draws from :data:`TINY_ALPHAS`, the
    large one from :data:`LARGE_ALPHAS`.
    """
    branches = [rationals(min_value, max_value, 100, exact)]
    if tiny:
        branches.append(st.sampled_from(TINY_ALPHAS))
    if large:
        branches.append(st.sampled_from(LARGE_ALPHAS))
    return st.one_of(*branches)


def weights(d: int, *, allow_zero: bool = True) -> st.SearchStrategy:
    """Non-negative integer weights of length ``d``, not all zero (barycentric coordinates)."""
    w = st.lists(st.integers(0 if allow_zero else 1, 6), min_size=d, max_size=d)
    return w.filter(lambda v: sum(v) > 0)


def zero_loss_points(x, y) -> st.SearchStrategy:
    """Exact points of ``M = {beta >= 0 : <x, beta> = y}`` (vertices and faces included).

    ``beta_i = y p_i / (x_i sum p)`` with integer weights ``p``: exactly on ``M``.
    """
    x = tuple(Fraction(v) for v in x)
    y = Fraction(y)

    def build(p):
        total = sum(p)
        return tuple(y * Fraction(pi, total) / xi for pi, xi in zip(p, x, strict=True))

    return weights(len(x)).map(build)


def _thresholds(x, y):
    return Fraction(1) / (2 * y * max(x)), Fraction(1) / (2 * y * min(x))


def learning_rates(x, y, alpha=None, *, max_factor=Fraction(11, 10)) -> st.SearchStrategy:
    """Learning rates for one-sample data: a fraction of the stable range, or an exact edge.

    Branches: ``t / (2 y x_min)`` with ``t`` rational in ``(0, max_factor]``; exactly
    ``1/(2 y x_max)`` or ``1/(2 y x_min)`` (``edge="threshold"``); and, when ``alpha`` makes
    ``r_0 = alpha^2 sum x - y > 0``, exactly ``1/(2 r_0 x_i)`` (``edge="dead-factor"``).
    Draws pairs ``(eta, edge)``.
    """
    x = tuple(Fraction(v) for v in x)
    y = Fraction(y)
    lo, hi = _thresholds(x, y)
    frac = rationals(Fraction(1, 20), max_factor, 20).map(lambda t: (t * hi, ""))
    edges = st.sampled_from([(lo, "threshold"), (hi, "threshold")])
    branches = [frac, edges]
    if alpha is not None:
        r0 = Fraction(alpha) ** 2 * sum(x) - y
        if r0 > 0:
            branches.append(st.sampled_from(
                sorted({(1 / (2 * r0 * xi), "dead-factor") for xi in x})))
    return st.one_of(*branches)


# ----------------------------------------------------------------------------- problems
def problems(d_min: int = 2, d_max: int = 8, *, ties: bool = True, distinct: bool = False,
             alpha: st.SearchStrategy | None = None, with_eta: bool = False,
             with_beta_star: bool = False, max_factor=Fraction(11, 10),
             exact: bool = True) -> st.SearchStrategy:
    """One-sample shared-weight problems ``(x, y, alpha[, eta][, beta*])`` as :class:`Instance`.

    Parameters
    ----------
    d_min, d_max : 2 <= d_min <= d_max
    ties, distinct : see :func:`features`
    alpha : strategy for ``alpha`` (default :func:`alphas`)
    with_eta : draw a learning rate with :func:`learning_rates` (thresholds and dead factors
        included)
    with_beta_star : draw a ground truth on the zero-loss set (:func:`zero_loss_points`)
    max_factor : largest ``eta`` as a multiple of ``1/(2 y x_min)``
    exact : Fractions (default) or binary floats
    """
    alpha = alphas(exact=exact) if alpha is None else alpha

    @st.composite
    def draw_problem(draw):
        x = draw(features(d_min, d_max, ties=ties, distinct=distinct, exact=exact))
        y = draw(labels(exact=exact))
        a = draw(alpha)
        edge = ""
        if len(set(x)) < len(x):
            edge = "ties"
        if a in TINY_ALPHAS:
            edge = "tiny-alpha"
        elif a in LARGE_ALPHAS:
            edge = "large-alpha"
        eta = None
        if with_eta:
            eta, eta_edge = draw(learning_rates(x, y, a, max_factor=max_factor))
            edge = eta_edge or edge
        beta_star = draw(zero_loss_points(x, y)) if with_beta_star else None
        return Instance((tuple(x),), y, a, eta, beta_star, "shared", edge)

    return draw_problem()


def dead_factor_problems(d_min: int = 2, d_max: int = 8) -> st.SearchStrategy:
    """One-sample problems whose first GD factor ``1 - 2 eta r_0 x_i`` is exactly zero (R7).

    ``y = t alpha^2 sum x`` with ``t`` in ``(0, 1)`` makes ``r_0 = alpha^2 sum x - y > 0``;
    ``eta = 1/(2 r_0 x_i)`` for a drawn ``i``.
    """

    @st.composite
    def draw_dead(draw):
        x = draw(features(d_min, d_max))
        a = draw(rationals(Fraction(1, 2), 2, 4))
        t = draw(rationals(Fraction(1, 8), Fraction(7, 8), 8))
        y = t * a * a * sum(x)
        r0 = a * a * sum(x) - y
        i = draw(st.integers(0, len(x) - 1))
        eta = 1 / (2 * r0 * x[i])
        return Instance((tuple(x),), y, a, eta, None, "shared", "dead-factor")

    return draw_dead()


def multi_sample_problems(n_min: int = 1, n_max: int = 3, d_min: int = 2, d_max: int = 6, *,
                          param: str | None = None, signed: bool = True,
                          alpha: st.SearchStrategy | None = None,
                          exact: bool = True) -> st.SearchStrategy:
    """``(X, y)`` problems for the general parametrisations (``product``, ``difference``).

    Entries of ``X`` and ``y`` are rationals of either sign (``signed=True``), ``X`` has
    ``n_min..n_max`` rows and ``d_min..d_max`` columns with ``d >= n`` not required. ``param``
    fixes the parametrisation, else it is drawn.
    """
    alpha = alphas(tiny=False, large=False, min_value=Fraction(1, 10), exact=exact) \
        if alpha is None else alpha
    lo = -4 if signed else Fraction(1, 8)
    entry = rationals(lo, 4, 4, exact)
    params = st.just(param) if param else st.sampled_from(["product", "difference"])

    @st.composite
    def draw_multi(draw):
        n = draw(st.integers(n_min, n_max))
        d = draw(st.integers(d_min, d_max))
        X = tuple(tuple(draw(entry) for _ in range(d)) for _ in range(n))
        y = tuple(draw(entry) for _ in range(n))
        return Instance(X, y, draw(alpha), None, None, draw(params), "")

    return draw_multi()


def _beta(param: str, theta: tuple) -> tuple:
    if param == "shared":
        (w,) = theta
        return tuple(v * v for v in w)
    u, v = theta
    if param == "product":
        return tuple(a * b for a, b in zip(u, v, strict=True))
    return tuple(a * a - b * b for a, b in zip(u, v, strict=True))


def parameter_points(*, param: str = "shared", n_min: int = 1, n_max: int = 1, d_min: int = 2,
                     d_max: int = 6, zero_loss: bool = False,
                     max_value=2) -> st.SearchStrategy:
    """A problem together with a parameter point ``theta`` (``Instance.theta``).

    ``param="shared"`` draws one-sample data with positive ``x`` and signed weights ``w``;
    ``product`` and ``difference`` draw ``n_min..n_max`` signed samples and signed ``(u, v)``.
    With ``zero_loss=True`` the labels are *defined* as ``y = X beta(theta)``, so ``theta`` is an
    exact interpolator (and, for ``shared``, ``theta`` is not all zero so that ``y > 0``).
    """
    entry = rationals(-Fraction(max_value), max_value, 4)

    @st.composite
    def draw_point(draw):
        if param == "shared":
            x = draw(features(d_min, d_max, max_value=4))
            d = len(x)
            w = tuple(draw(entry) for _ in range(d))
            if zero_loss:
                if not any(w):
                    w = (Fraction(1),) + w[1:]
                y = sum(xi * wi * wi for xi, wi in zip(x, w, strict=True))
            else:
                y = draw(labels())
            return Instance((tuple(x),), y, Fraction(1), theta=(w,),
                            edge="ties" if len(set(x)) < d else "")
        n = draw(st.integers(n_min, n_max))
        d = draw(st.integers(max(d_min, 1), d_max))
        X = tuple(tuple(draw(rationals(-4, 4, 4)) for _ in range(d)) for _ in range(n))
        theta = tuple(tuple(draw(entry) for _ in range(d)) for _ in range(2))
        if zero_loss:
            beta = _beta(param, theta)
            y = tuple(sum(a * b for a, b in zip(row, beta, strict=True)) for row in X)
        else:
            y = tuple(draw(rationals(-4, 4, 4)) for _ in range(n))
        return Instance(X, y, Fraction(1), param=param, theta=theta)

    return draw_point()


@dataclass(frozen=True)
class Transformed:
    """An instance with a metamorphic transformation: a scale ``c`` and a permutation.

    Attributes
    ----------
    instance : Instance
    c : Fraction, ``c > 0``: the scale of ``x -> c x`` (and ``y -> c y``)
    perm : tuple of int: a permutation of ``range(d)``
    """

    instance: Instance
    c: Fraction
    perm: tuple

    def key(self) -> dict:
        out = self.instance.key()
        out["c"] = str(self.c)
        out["perm"] = list(self.perm)
        return out

    def describe(self) -> str:
        return f"{self.instance.describe()}, c={self.c}, perm={list(self.perm)}"


def transformed(instances: st.SearchStrategy, *, scales=None) -> st.SearchStrategy:
    """Pairs an instance strategy with a scale ``c`` (default rationals in ``[1/4, 4]``, shrinking
    toward ``1``... and ``2``) and a permutation (shrinking toward the identity)."""
    scales = rationals(Fraction(1, 4), 4, 4) if scales is None else scales

    @st.composite
    def draw_transformed(draw):
        inst = draw(instances)
        c = draw(scales)
        perm = tuple(draw(st.permutations(range(inst.d))))
        return Transformed(inst, c, perm)

    return draw_transformed()
