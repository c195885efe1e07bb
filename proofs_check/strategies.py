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
* ``near-eta-c``, ``near-plateau``, ``near-stability-limit``: ``eta`` within a relative
  ``10^-6 .. 10^-1`` of ``eta_c = 2/S(beta_GF)``, of ``2/S`` at GD's plateau just below it, or of
  ``1/(2 y x_min)`` (:mod:`proofs_check.landmarks`): where claims about GD fail in narrow
  windows;
* ``d`` from 2 to 8.

Conventions (hypothesis' own)
-----------------------------
The thing drawn from (a value range, data ``x, y``, a strategy) is positional; every option is
keyword-only. One vocabulary throughout: ``min_value`` / ``max_value`` bound values,
``max_denominator`` their denominators, ``d_min`` / ``d_max`` and ``n_min`` / ``n_max`` the
dimension and the number of samples, ``exact`` chooses Fractions or binary floats, ``alpha``
is a strategy of initialisation scales, ``param`` a parametrisation's name. Arguments are
validated when the strategy is built: a bad one raises
:class:`hypothesis.errors.InvalidArgument` naming ``arg=value``. Importing this module does not
import hypothesis; building a strategy does.

Examples
--------
>>> from hypothesis import given, settings
>>> from proofs_check.strategies import problems
>>> @settings(max_examples=5, database=None, derandomize=True)
... @given(problems(d_max=3))
... def test_positive(inst):
...     assert min(inst.x) > 0 and inst.y > 0 and inst.alpha > 0
>>> test_positive()
>>> problems(d_min=3, d_max=2)
Traceback (most recent call last):
...
hypothesis.errors.InvalidArgument: d_min=3 must be <= d_max=2
"""

from __future__ import annotations

import math
from fractions import Fraction

from .instances import Instance, Transformed

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


def _st():
    from hypothesis import strategies as st

    return st


def _invalid(message: str):
    from hypothesis.errors import InvalidArgument

    return InvalidArgument(message)


def _number(name: str, value) -> Fraction:
    try:
        return Fraction(value)
    except (TypeError, ValueError):
        raise _invalid(f"{name}={value!r} must be a rational number") from None


def _at_least(name: str, value, low, *, strict: bool = False) -> None:
    if value < low or (strict and value == low):
        raise _invalid(f"{name}={value} must be {'>' if strict else '>='} {low}")


def _ordered(lo_name: str, lo, hi_name: str, hi) -> None:
    if lo > hi:
        raise _invalid(f"{lo_name}={lo} must be <= {hi_name}={hi}")


def _count(name: str, value, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _invalid(f"{name}={value!r} must be an integer")
    _at_least(name, value, low)
    return value


def _sizes(lo_name: str, lo, hi_name: str, hi, low: int) -> None:
    _count(lo_name, lo, low)
    _count(hi_name, hi, low)
    _ordered(lo_name, lo, hi_name, hi)


def _strategy(name: str, value) -> None:
    if value is not None and not isinstance(value, _st().SearchStrategy):
        raise _invalid(f"{name}={value!r} must be a hypothesis strategy")


def _param(value, names: tuple) -> None:
    if value not in names:  # argument parsing: the names a strategy accepts
        raise _invalid(f"param={value!r} must be one of {', '.join(names)}")


def rationals(min_value=Fraction(1, 8), max_value=8, *, max_denominator: int = 8,
              exact: bool = True):
    """Rationals ``p/q`` in ``[min_value, max_value]`` with ``q <= max_denominator``.

    Shrinks toward ``q = 1`` and the smallest admissible numerator (``1`` when it is in range).
    With ``exact=False``: floats in the range, as the Fractions of their binary values.
    """
    st = _st()
    lo, hi = _number("min_value", min_value), _number("max_value", max_value)
    _ordered("min_value", lo, "max_value", hi)
    _count("max_denominator", max_denominator, 1)
    if not exact:
        return st.floats(float(lo), float(hi), allow_nan=False, allow_infinity=False,
                         allow_subnormal=False).map(Fraction)

    def numerators(q: int):
        a, b = math.ceil(lo * q), math.floor(hi * q)
        if a > b:
            return st.nothing()
        return st.integers(a, b).map(lambda p: Fraction(p, q))

    return st.integers(1, max_denominator).flatmap(numerators)


def _positive_values(min_value, max_value, max_denominator, exact):
    """:func:`rationals` with ``min_value > 0`` required (features, labels, scales)."""
    _at_least("min_value", _number("min_value", min_value), 0, strict=True)
    return rationals(min_value, max_value, max_denominator=max_denominator, exact=exact)


def features(*, d_min: int = 2, d_max: int = 8, ties: bool = True, distinct: bool = False,
             min_value=Fraction(1, 8), max_value=4, max_denominator: int = 8,
             exact: bool = True):
    """Positive feature vectors ``x`` of length ``d_min..d_max`` (tuples of Fraction).

    ``ties=True`` lets entries repeat earlier ones (the strategy decides per entry, so a
    shrunk counterexample keeps a tie only when it needs it). ``distinct=True`` forbids ties.
    """
    st = _st()
    _sizes("d_min", d_min, "d_max", d_max, 1)
    value = _positive_values(min_value, max_value, max_denominator, exact)

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


def labels(min_value=Fraction(1, 4), max_value=4, *, max_denominator: int = 4,
           exact: bool = True):
    """Positive labels ``y`` (Fractions); shrink toward ``1``."""
    return _positive_values(min_value, max_value, max_denominator, exact)


def alphas(*, tiny: bool = True, large: bool = True, min_value=Fraction(1, 100),
           max_value=1, exact: bool = True):
    """Initialisation scales: moderate rationals, and (optionally) the tiny and large edges.

    Shrinks toward the moderate branch. The tiny branch draws from :data:`TINY_ALPHAS`, the
    large one from :data:`LARGE_ALPHAS`.
    """
    st = _st()
    branches = [_positive_values(min_value, max_value, 100, exact)]
    if tiny:
        branches.append(st.sampled_from(TINY_ALPHAS))
    if large:
        branches.append(st.sampled_from(LARGE_ALPHAS))
    return st.one_of(*branches)


def weights(d: int, *, allow_zero: bool = True):
    """Non-negative integer weights of length ``d``, not all zero (barycentric coordinates)."""
    st = _st()
    _count("d", d, 1)
    w = st.lists(st.integers(0 if allow_zero else 1, 6), min_size=d, max_size=d)
    return w.filter(lambda v: sum(v) > 0)


def _one_sample_data(x, y) -> tuple:
    """``x`` (non-empty, positive) and ``y > 0`` as Fractions, or InvalidArgument."""
    x = tuple(_number("x", v) for v in x)
    if not x or min(x) <= 0:
        raise _invalid(f"x={tuple(map(str, x))} must be a non-empty vector with x > 0")
    y = _number("y", y)
    _at_least("y", y, 0, strict=True)
    return x, y


def zero_loss_points(x, y):
    """Exact points of ``M = {beta >= 0 : <x, beta> = y}`` (vertices and faces included).

    ``beta_i = y p_i / (x_i sum p)`` with integer weights ``p``: exactly on ``M``.
    """
    x, y = _one_sample_data(x, y)

    def build(p):
        total = sum(p)
        return tuple(y * Fraction(pi, total) / xi for pi, xi in zip(p, x, strict=True))

    return weights(len(x)).map(build)


def learning_rates(x, y, *, alpha=None, max_factor=Fraction(11, 10), near_landmarks=True):
    """Learning rates for one-sample data: a fraction of the stable range, an exact edge, or a
    rate near a landmark.

    Branches: ``t / (2 y x_min)`` with ``t`` rational in ``(0, max_factor]``; exactly
    ``1/(2 y x_max)`` or ``1/(2 y x_min)`` (``edge="threshold"``); and, when ``alpha`` (a
    number) makes ``r_0 = alpha^2 sum x - y > 0``, exactly ``1/(2 r_0 x_i)``
    (``edge="dead-factor"``). With ``near_landmarks``: ``L (1 + o)`` for each landmark ``L`` of
    :func:`proofs_check.landmarks.landmarks` (``eta_c`` and GD's plateau edge need ``alpha``)
    and each offset ``o`` of :data:`proofs_check.landmarks.OFFSETS` (``edge="near-eta-c"``,
    ``"near-plateau"``, ``"near-stability-limit"``), each branch as likely as the uniform one.
    Every rate lies in ``(0, max_factor / (2 y x_min)]``. Draws pairs ``(eta, edge)``.
    """
    st = _st()
    x, y = _one_sample_data(x, y)
    _at_least("max_factor", _number("max_factor", max_factor), Fraction(1, 20))
    lo, hi = Fraction(1) / (2 * y * max(x)), Fraction(1) / (2 * y * min(x))
    frac = rationals(Fraction(1, 20), max_factor, max_denominator=20).map(
        lambda t: (t * hi, ""))
    edges = st.sampled_from([(lo, "threshold"), (hi, "threshold")])
    branches = [frac, edges]
    if alpha is not None:
        r0 = _number("alpha", alpha) ** 2 * sum(x) - y
        if r0 > 0:
            branches.append(st.sampled_from(
                sorted({(1 / (2 * r0 * xi), "dead-factor") for xi in x})))
    if near_landmarks:
        from .landmarks import OFFSETS, landmarks, near

        # one branch for all three landmarks (each would otherwise weigh as much as the
        # uniform draws, and near eta_c and the stability limit GD often decides nothing);
        # nearest offsets first, where hypothesis shrinks to
        top = max_factor * hi
        marks = landmarks(x, y, alpha).named().items()
        near_marks = [(e, edge) for o in OFFSETS for edge, mark in marks
                      if 0 < (e := near(mark, o)) <= top]
        if near_marks:
            branches.append(st.sampled_from(near_marks))
    return st.one_of(*branches)


def problems(*, d_min: int = 2, d_max: int = 8, ties: bool = True, distinct: bool = False,
             alpha=None, with_eta: bool = False, with_beta_star: bool = False,
             max_factor=Fraction(11, 10), exact: bool = True, near_landmarks: bool = True):
    """One-sample shared-weight problems ``(x, y, alpha[, eta][, beta*])`` as :class:`Instance`.

    Parameters
    ----------
    d_min, d_max : 2 <= d_min <= d_max
    ties, distinct : see :func:`features`
    alpha : strategy for ``alpha`` (default :func:`alphas`)
    with_eta : draw a learning rate with :func:`learning_rates` (thresholds, dead factors and
        rates near the landmarks ``eta_c``, GD's plateau edge and ``1/(2 y x_min)`` included)
    with_beta_star : draw a ground truth on the zero-loss set (:func:`zero_loss_points`)
    max_factor : largest ``eta`` as a multiple of ``1/(2 y x_min)``
    exact : Fractions (default) or binary floats
    near_landmarks : whether :func:`learning_rates` also draws near the landmarks (``False``:
        the uniform and exact-edge branches only)
    """
    st = _st()
    _sizes("d_min", d_min, "d_max", d_max, 2)
    _strategy("alpha", alpha)
    _at_least("max_factor", _number("max_factor", max_factor), Fraction(1, 20))
    alpha = alphas(exact=exact) if alpha is None else alpha
    xs = features(d_min=d_min, d_max=d_max, ties=ties, distinct=distinct, exact=exact)
    ys = labels(exact=exact)

    @st.composite
    def draw_problem(draw):
        x = draw(xs)
        y = draw(ys)
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
            eta, eta_edge = draw(learning_rates(x, y, alpha=a, max_factor=max_factor,
                                                near_landmarks=near_landmarks))
            edge = eta_edge or edge
        beta_star = draw(zero_loss_points(x, y)) if with_beta_star else None
        return Instance((tuple(x),), y, a, eta, beta_star, "shared", edge)

    return draw_problem()


def dead_factor_problems(*, d_min: int = 2, d_max: int = 8):
    """One-sample problems whose first GD factor ``1 - 2 eta r_0 x_i`` is exactly zero (R7).

    ``y = t alpha^2 sum x`` with ``t`` in ``(0, 1)`` makes ``r_0 = alpha^2 sum x - y > 0``;
    ``eta = 1/(2 r_0 x_i)`` for a drawn ``i``.
    """
    st = _st()
    xs = features(d_min=d_min, d_max=d_max)
    scales = rationals(Fraction(1, 2), 2, max_denominator=4)
    fractions = rationals(Fraction(1, 8), Fraction(7, 8), max_denominator=8)

    @st.composite
    def draw_dead(draw):
        x = draw(xs)
        a = draw(scales)
        t = draw(fractions)
        y = t * a * a * sum(x)
        r0 = a * a * sum(x) - y
        i = draw(st.integers(0, len(x) - 1))
        eta = 1 / (2 * r0 * x[i])
        return Instance((tuple(x),), y, a, eta, None, "shared", "dead-factor")

    return draw_dead()


def multi_sample_problems(*, n_min: int = 1, n_max: int = 3, d_min: int = 2, d_max: int = 6,
                          param: str | None = None, signed: bool = True, alpha=None,
                          exact: bool = True):
    """``(X, y)`` problems for the general parametrisations (``product``, ``difference``).

    Entries of ``X`` and ``y`` are rationals of either sign (``signed=True``), ``X`` has
    ``n_min..n_max`` rows and ``d_min..d_max`` columns with ``d >= n`` not required. ``param``
    fixes the parametrisation, else it is drawn.
    """
    st = _st()
    _sizes("n_min", n_min, "n_max", n_max, 1)
    _sizes("d_min", d_min, "d_max", d_max, 1)
    general = ("product", "difference")
    if param is not None:
        _param(param, general)
    _strategy("alpha", alpha)
    alpha = alphas(tiny=False, large=False, min_value=Fraction(1, 10), exact=exact) \
        if alpha is None else alpha
    lo = -4 if signed else Fraction(1, 8)
    entry = rationals(lo, 4, max_denominator=4, exact=exact)
    params = st.just(param) if param else st.sampled_from(general)

    @st.composite
    def draw_multi(draw):
        n = draw(st.integers(n_min, n_max))
        d = draw(st.integers(d_min, d_max))
        X = tuple(tuple(draw(entry) for _ in range(d)) for _ in range(n))
        y = tuple(draw(entry) for _ in range(n))
        return Instance(X, y, draw(alpha), None, None, draw(params), "")

    return draw_multi()


def parameter_points(*, param: str = "shared", n_min: int = 1, n_max: int = 1, d_min: int = 2,
                     d_max: int = 6, zero_loss: bool = False, max_value=2):
    """A problem together with a parameter point ``theta`` (``Instance.theta``).

    ``param="shared"`` draws one-sample data with positive ``x`` and signed weights ``w``;
    ``product`` and ``difference`` draw ``n_min..n_max`` signed samples and signed ``(u, v)``.
    With ``zero_loss=True`` the labels are *defined* as ``y = X beta(theta)``, so ``theta`` is an
    exact interpolator (and, for ``shared``, ``theta`` is not all zero so that ``y > 0``).
    """
    from theory.parametrisations import PARAMETRISATIONS, parametrisation

    st = _st()
    _param(param, PARAMETRISATIONS)
    _sizes("n_min", n_min, "n_max", n_max, 1)
    _sizes("d_min", d_min, "d_max", d_max, 1)
    _at_least("max_value", _number("max_value", max_value), 0, strict=True)
    P = parametrisation(param)
    entry = rationals(-Fraction(max_value), max_value, max_denominator=4)
    signed = rationals(-4, 4, max_denominator=4)

    def beta(theta) -> tuple:
        return tuple(P.beta(theta_i) for theta_i in zip(*theta, strict=True))

    @st.composite
    def draw_point(draw):
        if P.paper_model:  # one sample, positive x, signed w
            x = draw(features(d_min=d_min, d_max=d_max, max_value=4))
            d = len(x)
            w = tuple(draw(entry) for _ in range(d))
            if zero_loss:
                if not any(w):
                    w = (Fraction(1),) + w[1:]
                y = sum(xi * b for xi, b in zip(x, beta((w,)), strict=True))
            else:
                y = draw(labels())
            return Instance((tuple(x),), y, Fraction(1), theta=(w,),
                            edge="ties" if len(set(x)) < d else "")
        n = draw(st.integers(n_min, n_max))
        d = draw(st.integers(max(d_min, 1), d_max))
        X = tuple(tuple(draw(signed) for _ in range(d)) for _ in range(n))
        theta = tuple(tuple(draw(entry) for _ in range(d)) for _ in range(P.blocks))
        if zero_loss:
            b = beta(theta)
            y = tuple(sum(a * c for a, c in zip(row, b, strict=True)) for row in X)
        else:
            y = tuple(draw(signed) for _ in range(n))
        return Instance(X, y, Fraction(1), param=param, theta=theta)

    return draw_point()


def transformed(instances, *, scales=None):
    """Pairs an instance strategy with a scale ``c`` (default rationals in ``[1/4, 4]``, shrinking
    toward ``1``... and ``2``) and a permutation (shrinking toward the identity)."""
    st = _st()
    if not isinstance(instances, st.SearchStrategy):
        raise _invalid(f"instances={instances!r} must be a hypothesis strategy")
    _strategy("scales", scales)
    scales = rationals(Fraction(1, 4), 4, max_denominator=4) if scales is None else scales

    @st.composite
    def draw_transformed(draw):
        inst = draw(instances)
        c = draw(scales)
        perm = tuple(draw(st.permutations(range(inst.d))))
        return Transformed(inst, c, perm)

    return draw_transformed()
