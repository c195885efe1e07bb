r"""Budgeted classifiers with an exit flag: answer only what the approximation proves (C7).

No halting classifier of names is right at the boundary (:func:`theory.names.adversary`), but
one that may answer :data:`~theory.names.EXIT` can be always right: it answers a class only
when the approximation it read proves the class, and exits otherwise. Its classes are open
sets (semi-decidable, [BFFK25]); as the budget grows it answers every point of them.

* Two classes ``x < t`` and ``x > t`` (:func:`classify_with_exit`): read
  :math:`q = q_B` (:math:`|x - q| \le 2^{-B}`); answer "above" when :math:`q - 2^{-B} > t`,
  "below" when :math:`q + 2^{-B} < t`, else exit. An exit means :math:`|q - t| \le 2^{-B}`,
  so :math:`|x - t| \le 2 \cdot 2^{-B}`.
* Classes given by strict rational polynomial inequalities
  :math:`C_k = \{x : p_{k,1}(x) > 0, \dots\}` (:func:`classify_regions`): read every
  coordinate at precision ``B``, enclose each :math:`p_{k,j}` on the box
  :math:`\prod_i [q_i - 2^{-B}, q_i + 2^{-B}]` by exact rational interval arithmetic, and
  answer the first class whose enclosures are all positive.

References
----------
C7, [BFFK25] arXiv 2408.06212, as reconstructed in the project's specification (from the source's
abstract and third-party summaries).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction

from ._rationals import nonnegative_int, rational
from .citations import cites
from .errors import DomainError
from .names import ABOVE, BELOW, EXIT, Name

__all__ = ["RegionAnswer", "classify_with_exit", "refine_classification", "polynomial",
           "polynomial_enclosure", "classify_regions"]

SOURCE = "[BFFK25]"


def _name(name, argument="name") -> Name:
    if not isinstance(name, Name):
        raise DomainError(argument, type(name).__name__, "a theory.names.Name (wrap a "
                          "function n -> rational with Name(...))", "C7")
    return name


@cites("C7", SOURCE)
def classify_with_exit(name: Name, t, budget: int) -> str:
    r"""Classify ``x`` against ``t`` from one approximation, or exit (C7).

    Statement
    ---------
    With :math:`q = q_B`: "above" if :math:`q - 2^{-B} > t`, "below" if
    :math:`q + 2^{-B} < t`, else ``EXIT``. Never wrong (an answer is proved by
    :math:`|x - q| \le 2^{-B}`); ``EXIT`` only when :math:`|x - t| \le 2 \cdot 2^{-B}`;
    every :math:`x` with :math:`|x - t| > 2 \cdot 2^{-B}` gets an answer.

    Parameters
    ----------
    name : Name of ``x``
    t : rational threshold
    budget : int >= 0, the precision ``B`` read

    Returns
    -------
    ``"above"``, ``"below"`` or ``"EXIT"``

    Notes
    -----
    Upper bound (tight up to the factor 2: a name may sit ``2^-B`` away from ``x`` on the
    side of ``t``).

    References
    ----------
    C7, [BFFK25] arXiv 2408.06212, as reconstructed in the project's specification.

    Examples
    --------
    >>> from theory.names import dyadic_name, sqrt_name
    >>> classify_with_exit(sqrt_name(2), "1.41", 6), classify_with_exit(sqrt_name(2), "1.41", 9)
    ('EXIT', 'above')
    >>> classify_with_exit(dyadic_name("1/3"), "1/3", 1000)
    'EXIT'
    """
    name = _name(name)
    tq = rational(t, "t", "C7")
    B = nonnegative_int(budget, "budget", "C7")
    q, r = name(B), Fraction(1, 2 ** B)
    if q - r > tq:
        return ABOVE
    if q + r < tq:
        return BELOW
    return EXIT


@cites("C7", SOURCE)
def refine_classification(name: Name, t, start: int = 0) -> Iterator[tuple[int, str]]:
    r"""``(budget, answer)`` of :func:`classify_with_exit` for budgets ``start, start+1, ...``;
    the caller decides when to stop (C7).

    Statement
    ---------
    Semi-decision of the open classes: for :math:`x \ne t` the answer is a class for every
    budget :math:`B` with :math:`2 \cdot 2^{-B} < |x - t|`; for :math:`x = t` it is ``EXIT``
    forever (so this generator never ends by itself).

    References
    ----------
    C7, [BFFK25] arXiv 2408.06212, as reconstructed in the project's specification.

    Examples
    --------
    >>> from theory.names import sqrt_name
    >>> it = refine_classification(sqrt_name(2), "1.41")
    >>> next((B, a) for B, a in it if a != "EXIT")
    (8, 'above')
    """
    name = _name(name)
    tq = rational(t, "t", "C7")
    B = nonnegative_int(start, "start", "C7")
    while True:
        yield B, classify_with_exit(name, tq, B)
        B += 1


# -- strict polynomial inequalities ------------------------------------------------------------
@cites("C7", SOURCE)
def polynomial(p, d: int) -> dict:
    r"""A rational polynomial in ``x0 .. x{d-1}`` as ``{exponents: coefficient}`` (C7).

    Statement
    ---------
    :math:`p(x) = \sum_\alpha c_\alpha x^\alpha` with :math:`c_\alpha \in \mathbb{Q}`. Accepts
    that dict (exponent tuples of length ``d``), or a sympy expression or string in the
    symbols ``x0 .. x{d-1}`` (``"x0**2 + x1**2 - 1"``).

    References
    ----------
    C7, [BFFK25] arXiv 2408.06212, as reconstructed in the project's specification.

    Examples
    --------
    >>> polynomial("x0**2 - 2", 1)
    {(2,): Fraction(1, 1), (0,): Fraction(-2, 1)}
    """
    if isinstance(p, dict):
        out = {}
        for alpha, c in p.items():
            if (not isinstance(alpha, tuple) or len(alpha) != d
                    or any(isinstance(a, bool) or not isinstance(a, int) or a < 0
                           for a in alpha)):
                raise DomainError("p", alpha, f"exponent tuples of {d} integers >= 0", "C7")
            out[alpha] = rational(c, f"p[{alpha}]", "C7")
        return out
    import sympy as sp

    xs = sp.symbols(f"x0:{d}")
    try:
        expr = sp.sympify(p, locals={str(s): s for s in xs})
        poly = sp.Poly(expr, *xs)
    except (sp.SympifyError, sp.PolynomialError, TypeError, SyntaxError):
        raise DomainError("p", p, f"a polynomial in x0..x{d - 1} with rational "
                          "coefficients", "C7") from None
    if not poly.domain.is_QQ and not poly.domain.is_ZZ:
        raise DomainError("p", p, "rational coefficients (found domain "
                          f"{poly.domain})", "C7")
    return {tuple(int(a) for a in m): Fraction(int(c.p), int(c.q))
            for m, c in zip(poly.monoms(), poly.coeffs())}


def _ipow(lo: Fraction, hi: Fraction, e: int) -> tuple:
    if e == 0:
        return Fraction(1), Fraction(1)
    a, b = lo ** e, hi ** e
    if e % 2 == 1:
        return a, b
    if lo >= 0:
        return a, b
    if hi <= 0:
        return b, a
    return Fraction(0), max(a, b)


def _imul(x: tuple, y: tuple) -> tuple:
    products = [x[0] * y[0], x[0] * y[1], x[1] * y[0], x[1] * y[1]]
    return min(products), max(products)


def _natural(p: dict, ivs) -> tuple:
    """The natural interval extension of ``p`` on the intervals ``ivs``."""
    total_lo, total_hi = Fraction(0), Fraction(0)
    for alpha, c in p.items():
        term = (Fraction(1), Fraction(1))
        for (lo, hi), e in zip(ivs, alpha):
            term = _imul(term, _ipow(lo, hi, e))
        lo, hi = _imul(term, (Fraction(c), Fraction(c)))
        total_lo, total_hi = total_lo + lo, total_hi + hi
    return total_lo, total_hi


def _derivative(p: dict, i: int) -> dict:
    out: dict = {}
    for alpha, c in p.items():
        if alpha[i]:
            beta = alpha[:i] + (alpha[i] - 1,) + alpha[i + 1:]
            out[beta] = out.get(beta, Fraction(0)) + Fraction(c) * alpha[i]
    return out


def _value(p: dict, x) -> Fraction:
    total = Fraction(0)
    for alpha, c in p.items():
        term = Fraction(c)
        for xi, e in zip(x, alpha):
            term *= xi ** e
        total += term
    return total


@cites("C7", SOURCE)
def polynomial_enclosure(p: dict, box) -> tuple:
    r"""An interval containing ``p`` on a box, by exact rational interval arithmetic (C7).

    Statement
    ---------
    :math:`\{p(x) : x \in B\} \subseteq [\underline p, \overline p]` for the box
    :math:`B = \prod_i [l_i, u_i]`: the intersection of the natural interval extension of
    :math:`\sum_\alpha c_\alpha \prod_i x_i^{\alpha_i}` (even powers taken exactly,
    :math:`[-1, 2]^2 = [0, 4]`) and the mean-value form
    :math:`p(m) + \sum_i [\partial_i p](B)\, [-r_i, r_i]` (centre ``m``, radii ``r``; the
    mean value theorem on the convex box), both sound.

    Parameters
    ----------
    p : ``{exponents: coefficient}`` (see :func:`polynomial`)
    box : ``d`` pairs ``(l_i, u_i)`` with ``l_i <= u_i``

    Notes
    -----
    Sound, not tight. The mean-value form matters near a boundary where ``p`` has a double
    root: for :math:`p = (x_0 - x_1)^2` at :math:`(1, 1 + \varepsilon)` the natural extension
    alone needs :math:`\varepsilon^2 \gtrsim 8 r` (dependency: :math:`x_0` and
    :math:`x_1` vary independently in :math:`-2 x_0 x_1`), so an exit-flag classifier would
    exit up to a distance :math:`\sim \sqrt{r}` from the boundary; with the mean-value form
    it exits only up to :math:`\sim 6 r`.

    References
    ----------
    C7, [BFFK25] arXiv 2408.06212, as reconstructed in the project's specification.

    Examples
    --------
    >>> polynomial_enclosure({(2,): 1, (0,): -2}, [(Fraction(1), Fraction(2))])
    (Fraction(-1, 1), Fraction(2, 1))
    """
    ivs = [(rational(lo, f"box[{i}][0]", "C7"), rational(hi, f"box[{i}][1]", "C7"))
           for i, (lo, hi) in enumerate(box)]
    for i, (lo, hi) in enumerate(ivs):
        if lo > hi:
            raise DomainError(f"box[{i}]", (str(lo), str(hi)), "l <= u", "C7")
    n_lo, n_hi = _natural(p, ivs)
    centre = [(lo + hi) / 2 for lo, hi in ivs]
    spread = Fraction(0)
    for i, (lo, hi) in enumerate(ivs):
        g_lo, g_hi = _natural(_derivative(p, i), ivs)
        spread += max(abs(g_lo), abs(g_hi)) * (hi - lo) / 2
    mid = _value(p, centre)
    return max(n_lo, mid - spread), min(n_hi, mid + spread)


@dataclass(frozen=True)
class RegionAnswer:
    """The answer of :func:`classify_regions`.

    Attributes
    ----------
    answer : int or ``"EXIT"``
        The first class proved to contain ``x``.
    enclosures : tuple of tuples of ``(lo, hi)``
        For class ``k`` and inequality ``j``, an interval containing :math:`p_{k,j}(x)`.
    budget : int
    """

    answer: object
    enclosures: tuple
    budget: int


@cites("C7", SOURCE)
def classify_regions(names, classes, budget: int) -> RegionAnswer:
    r"""Multi-class exit-flag classifier for classes given by strict polynomial inequalities (C7).

    Statement
    ---------
    Classes :math:`C_k = \{x \in \mathbb{R}^d : p_{k,j}(x) > 0 \ \forall j\}` with rational
    polynomials. With :math:`B` = ``budget`` and the box
    :math:`\prod_i [q_i - 2^{-B}, q_i + 2^{-B}] \ni x`, answer the first ``k`` whose
    enclosures (:func:`polynomial_enclosure`) are all positive, else ``EXIT``. Never wrong
    (``x`` lies in the class answered). An exit implies, for every class ``k``, some ``j`` with
    :math:`p_{k,j}(x) \le \overline p_{k,j} - \underline p_{k,j}` (the enclosure's width, which
    tends to 0 as :math:`B` grows): so every point of an open class gets an answer at large
    enough budgets.

    Parameters
    ----------
    names : ``d`` :class:`~theory.names.Name` objects, one per coordinate of ``x``
    classes : sequence of classes, each a non-empty sequence of polynomials (anything
        :func:`polynomial` accepts)
    budget : int >= 0

    References
    ----------
    C7, [BFFK25] arXiv 2408.06212, as reconstructed in the project's specification.

    Examples
    --------
    >>> from theory.names import dyadic_name
    >>> disc = [["1 - x0**2 - x1**2"], ["x0**2 + x1**2 - 1"]]
    >>> classify_regions([dyadic_name("0.6"), dyadic_name("0.8")], disc, 30).answer
    'EXIT'
    >>> classify_regions([dyadic_name("0.6"), dyadic_name("0.7")], disc, 10).answer
    0
    """
    if isinstance(names, Name) or not hasattr(names, "__iter__"):
        raise DomainError("names", names, "a sequence of Name objects, one per coordinate",
                          "C7")
    ns = [_name(v, f"names[{i}]") for i, v in enumerate(names)]
    if not ns:
        raise DomainError("names", names, "at least one coordinate", "C7")
    B = nonnegative_int(budget, "budget", "C7")
    if isinstance(classes, (str, bytes)) or not hasattr(classes, "__iter__"):
        raise DomainError("classes", classes, "a sequence of classes (sequences of "
                          "polynomials)", "C7")
    polys = []
    for k, cls in enumerate(classes):
        if isinstance(cls, (str, bytes, dict)) or not hasattr(cls, "__iter__") or not cls:
            raise DomainError(f"classes[{k}]", cls, "a non-empty sequence of polynomials",
                              "C7")
        polys.append([polynomial(p, len(ns)) for p in cls])
    if not polys:
        raise DomainError("classes", classes, "at least one class", "C7")
    r = Fraction(1, 2 ** B)
    box = [(q - r, q + r) for q in (name(B) for name in ns)]
    enclosures = tuple(tuple(polynomial_enclosure(p, box) for p in cls) for cls in polys)
    for k, encs in enumerate(enclosures):
        if all(lo > 0 for lo, _ in encs):
            return RegionAnswer(k, enclosures, B)
    return RegionAnswer(EXIT, enclosures, B)
