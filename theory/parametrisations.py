r"""The parametrisations of a diagonal network, written once over any arithmetic.

Statement
---------
A diagonal network writes ``beta in R^d`` through parameters ``theta`` of ``k`` blocks of
length ``d`` (one block ``w``, or two ``u, v``), coordinate by coordinate:

=====================  ===========================  ==========================  =================
parametrisation        ``beta_i(theta_i)``          ``theta_0`` (scale alpha)   claims
=====================  ===========================  ==========================  =================
``Shared(D)``          ``w_i^D``                    ``w = alpha``               R1-R9 (D = 2)
``Product()``          ``u_i v_i``                  ``u = sqrt2 alpha, v = 0``  E1-E3, E5
``Difference()``       ``u_i^2 - v_i^2``            ``u = v = alpha``           E1, E4, E5
=====================  ===========================  ==========================  =================

With ``L = 1/(2n) ||X beta - y||^2`` and ``g = X^T r / n`` (the gradient in ``beta``), gradient
descent is ``theta_i <- theta_i - eta g_i J_i`` with ``J_i = d beta_i / d theta_i``, and gradient
flow is separable: with ``s_i = int_0^t g_i``, ``d theta_i / d s_i = -J_i``, so every coordinate
has a closed-form flow map ``s -> theta_i(s)`` from any start ``theta_i(0)``:

* shared, ``D = 2``: ``w = w_0 e^{-2s}``, ``beta = w_0^2 e^{-4s}`` (R6);
* shared, depth ``D``: ``|w|^{2-D}`` moves linearly, ``|w|^{2-D} = |w_0|^{2-D} + D(D-2)
  sigma s`` with ``sigma = sign(w_0)^D``; ``w`` keeps its sign;
* product (E3): ``p = u + v = p_0 e^{-s}``, ``q = u - v = q_0 e^{s}``, ``beta = (p^2 - q^2)/4``;
* difference (E4): ``u = u_0 e^{-2s}``, ``v = v_0 e^{2s}``, ``beta = u^2 - v^2``;

and in every case ``d beta_i / d s_i = -|J_i|^2``. Each line is checked by differentiation in
``tests/theory/test_parametrisations.py``.

Arithmetic
----------
The algebraic pieces (``beta``, the GD step, ``J``, ``|J|^2``, second derivatives) use ``+``,
``-``, ``*`` and integer powers only, so they run unchanged on sympy expressions, Fractions,
numpy float arrays and object arrays of ``mpf`` or ``arb`` (with or without a leading batch
axis). The transcendental pieces (initial state, flow map, gain) take an ``ops`` argument: any
object with ``scalar(Fraction)``, ``sqrt``, ``exp``, ``log``, ``sinh``, ``cosh`` (a
:class:`numerics.backends.Backend` is one; :data:`SYMPY` is the exact one). This module imports
nothing beyond the standard library, so numerics can use it without loading sympy.

References
----------
R6, R7, E1, E2 and E5, [MFCKM26] arXiv 2505.21423; E3, [EPGF23] arXiv 2302.08982; E4, [WGL20] arXiv
2002.09277; as reconstructed in the project's specification.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from fractions import Fraction

from .errors import DomainError

__all__ = ["Parametrisation", "Shared", "Product", "Difference", "CoordinateFlow",
           "OutOfDomain", "PARAMETRISATIONS", "parametrisation", "SYMPY"]

#: the names accepted by :func:`parametrisation` (and on the command line)
PARAMETRISATIONS = ("shared", "product", "difference")


class OutOfDomain(ArithmeticError):
    """Shared depth ``D > 2``: ``|w_0|^(2-D) + D (D-2) sigma s <= 0``; the flow never gets
    there (it blows up before)."""


def _definitely(condition) -> bool:
    """``True`` only for a condition that is decidably true (a symbolic one that sympy cannot
    decide counts as not definitely true, and so does an array of conditions, which numpy does
    not reduce to one truth value: the map then runs elementwise, ``nan`` where undefined)."""
    try:
        return bool(condition)
    except (TypeError, ValueError):
        return False


class _SympyOps:
    """The exact arithmetic for the ``ops`` argument (sympy imported on first use)."""

    def __getattr__(self, name):
        import sympy as sp

        if name == "scalar":
            return lambda q: sp.Rational(Fraction(q).numerator, Fraction(q).denominator)
        if name in ("sqrt", "exp", "log", "sinh", "cosh"):
            return getattr(sp, name)
        raise AttributeError(name)


#: exact ``ops`` (sympy): ``scalar``, ``sqrt``, ``exp``, ``log``, ``sinh``, ``cosh``
SYMPY = _SympyOps()


class CoordinateFlow:
    """The closed-form gradient-flow map of one coordinate, ``s -> theta_i(s)``.

    Built by :meth:`Parametrisation.flow_from` (from any state) or
    :meth:`Parametrisation.initial_flow` (from ``theta_0``, with exact constants). ``s`` is a
    scalar of the arithmetic of ``ops``.
    """

    def theta(self, s) -> tuple:
        """``theta_i(s)``, one entry per block."""
        raise NotImplementedError

    def beta(self, s):
        """``beta_i(s)``."""
        raise NotImplementedError

    def jsq(self, s):
        """``|J_i|^2 = -d beta_i / d s`` at ``s`` (the Gram weight of E1)."""
        raise NotImplementedError

    def exp_terms(self) -> list | None:
        """``[(c_q, weight_q)]`` with ``beta_i(s) = sum_q weight_q exp(c_q s)``, or ``None``
        when the path is not a sum of exponentials (shared ``D > 2``)."""
        return None

    def power_term(self) -> tuple | None:
        """``(weight, base0, slope, m)`` with ``beta_i(s) = weight (base0 + slope s)^m`` on the
        path's domain ``base0 + slope s > 0`` (``weight``, ``slope`` integers, ``m`` a
        Fraction), or ``None`` when the path is a sum of exponentials (:meth:`exp_terms`)."""
        return None

    def curvatures(self, s) -> list:
        """The block ``B_i = d^2 beta_i / d theta_i^2`` along the path, in a basis that does not
        move with ``s``: ``[(mu_j, d mu_j / ds, jsq_j)]`` with ``B_i(theta(s)) = sum_j mu_j q_j
        q_j^T`` for fixed orthonormal ``q_j`` and ``jsq_j = (q_j . J_i)^2`` (so ``sum_j jsq_j =
        |J_i|^2``, and ``d jsq_j / ds = -2 mu_j jsq_j`` since ``dJ_i / ds = -B_i J_i``)."""
        raise NotImplementedError


class _Exponential(CoordinateFlow):
    """``beta(s) = sum_q weight_q exp(c_q s)``; ``theta`` from its own rule. ``closed``
    optionally gives ``(beta, jsq)`` in a form free of cancellation (``sinh``, ``cosh``)."""

    def __init__(self, ops, terms, theta_rule, closed=None):
        self.ops, self.terms, self._theta, self._closed = ops, terms, theta_rule, closed

    def theta(self, s):
        return self._theta(s)

    def beta(self, s):
        if self._closed is not None:
            return self._closed[0](s)
        exp = self.ops.exp
        return sum((w * exp(c * s) for c, w in self.terms[1:]), self.terms[0][1] * exp(
            self.terms[0][0] * s))

    def jsq(self, s):
        if self._closed is not None:
            return self._closed[1](s)
        exp = self.ops.exp
        c0, w0 = self.terms[0]
        return sum(((-c) * w * exp(c * s) for c, w in self.terms[1:]), (-c0) * w0 * exp(c0 * s))

    def exp_terms(self):
        return list(self.terms)

    def curvatures(self, s):
        # beta is quadratic in theta (B constant): one term per eigen-direction, whose
        # component moves as exp(-mu s), so c = -2 mu and jsq_j = -c weight exp(c s)
        exp = self.ops.exp
        return [(self.ops.scalar(Fraction(-c, 2)), 0 * s, (-c) * w * exp(c * s))
                for c, w in self.terms]


class _PowerFlow(CoordinateFlow):
    """Shared depth ``D > 2`` from ``w_0``: ``|w|^(2-D) = base_0 + D (D-2) sigma s``."""

    def __init__(self, ops, D: int, sign: int, base0):
        self.ops, self.D, self.sign = ops, D, sign
        self.sigma = sign ** D if sign else 0
        self.base0 = base0
        self.e_w = ops.scalar(Fraction(-1, D - 2))
        self.e_beta = ops.scalar(Fraction(-D, D - 2))
        self.e_j = ops.scalar(Fraction(-(2 * D - 2), D - 2))

    def base(self, s):
        P = self.base0 + (self.D * (self.D - 2) * self.sigma) * s
        if _definitely(P <= 0):
            raise OutOfDomain
        return P

    def theta(self, s):
        if not self.sign:
            return (0 * s,)
        return (self.sign * self.base(s) ** self.e_w,)

    def beta(self, s):
        if not self.sign:
            return 0 * s
        return self.sigma * self.base(s) ** self.e_beta

    def jsq(self, s):
        if not self.sign:
            return 0 * s
        return (self.D ** 2) * self.base(s) ** self.e_j

    def power_term(self):
        m = Fraction(-self.D, self.D - 2)
        if not self.sign:
            return (0, self.ops.scalar(1), 0, m)
        return (self.sigma, self.base0, self.D * (self.D - 2) * self.sigma, m)

    def curvatures(self, s):
        # B = D (D-1) w^(D-2) = D (D-1) sigma / base, and base moves as D (D-2) sigma s
        if not self.sign:
            return [(0 * s, 0 * s, 0 * s)]
        D, P = self.D, self.base(s)
        return [(D * (D - 1) * self.sigma / P, -(D * D * (D - 1) * (D - 2)) / (P * P),
                 self.jsq(s))]


@dataclass(frozen=True)
class Parametrisation:
    """One parametrisation: ``beta(theta)``, the GD step, derivatives, flow map and gain.

    Attributes
    ----------
    name : ``"shared"``, ``"product"`` or ``"difference"``
    depth : int, the depth ``D`` (2 except for ``Shared(D)``)
    blocks : int, the number ``k`` of parameter blocks (1 or 2)
    """

    name = "abstract"
    blocks = 1

    @property
    def depth(self) -> int:
        return 2

    @property
    def tracks_G_sum(self) -> bool:
        """Whether the effective initialisation needs ``G_sum = eta sum_k g_k`` (shared)."""
        return False

    @property
    def paper_model(self) -> bool:
        """Whether this is the paper's model ``beta = w * w`` (shared, ``D = 2``), the one on
        which the one-sample theory R1-R9 of :mod:`theory` is stated."""
        return False

    @property
    def exponential_flow(self) -> bool:
        """Whether the flow path is a sum of exponentials in ``s`` (:meth:`CoordinateFlow.
        exp_terms` is not ``None``)."""
        return True

    @property
    def positive_beta(self) -> bool:
        """Whether ``beta_i > 0`` all along the gradient flow from ``theta_0`` (shared: ``w``
        keeps the sign of ``alpha``), so that the flow reaches only interpolators with
        ``beta > 0``."""
        return False

    def label(self) -> str:
        """``"shared"``, ``"shared depth 3"``, ``"product"``."""
        return self.name if self.depth == 2 else f"{self.name} depth {self.depth}"

    # -- algebra (any arithmetic with +, -, *) ---------------------------------------------
    def beta(self, theta: tuple):
        """``beta(theta)``: blocks may be scalars or arrays (elementwise)."""
        raise NotImplementedError

    def step(self, theta: tuple, g, eta) -> tuple:
        """``theta - eta g J`` (one GD step) given ``g = X^T r / n``; ``eta`` a scalar or a
        ``(B, 1)`` column for a batch."""
        raise NotImplementedError

    def jacobians(self, theta: tuple) -> list:
        """``J_i = d beta_i / d theta_i`` as a list of ``k`` blocks."""
        raise NotImplementedError

    def jacobian_sq(self, theta: tuple):
        """``|J_i|^2``, the weights of the Gram form ``(1/n) X diag(|J_i|^2) X^T`` (E1)."""
        return sum(j * j for j in self.jacobians(theta))

    def hessians(self, theta: tuple) -> list:
        """``B_i = d^2 beta_i / d theta_i^2`` as a ``k x k`` nested list."""
        raise NotImplementedError

    def gd_factor(self, theta_i: tuple):
        """``c_i`` in ``beta_i^GD - beta_i^GF ~ -c_i eta^2 sum_k g_{k,i}^2 beta_i`` per step.

        ``log|1 - a| + a = -a^2/2 + O(a^3)`` applied to each multiplicative update: ``c = 4``
        for shared ``D = 2`` and difference, ``c = 1`` for product (E3), and
        ``c = D^3 (D-1) |w|^(2D-4) / 2`` for shared depth ``D``.
        """
        raise NotImplementedError

    # -- transcendental pieces (take ``ops``) -----------------------------------------------
    def initial_state(self, alpha, ops) -> tuple:
        """``theta_0`` of one coordinate at scale ``alpha`` (one scalar per block)."""
        raise NotImplementedError

    def flow_from(self, theta_i: tuple, ops) -> CoordinateFlow:
        """The flow map of one coordinate from the state ``theta_i`` (scalars of ``ops``)."""
        raise NotImplementedError

    def initial_flow(self, alpha, ops) -> CoordinateFlow:
        """The flow map from ``theta_0``, its constants computed exactly from ``alpha``
        (``(sqrt2 alpha)^2 = 2 alpha^2`` with no rounding of ``sqrt 2``)."""
        raise NotImplementedError

    def gain(self, theta_i: tuple, G_i, alpha, ops):
        r"""``log(alpha_eff_i^2 / alpha^2)``, the effective initialisation of R7 / E3.

        Gradient flow from ``alpha_eff`` reaches the current state with the same ``int g``
        (``G_i = eta sum_k g_{k,i}``, accumulated by the engine; used by shared only):

        * shared, ``D = 2``: ``alpha_eff^2 = w^2 exp(4 G)``;
        * shared, ``D > 2``: ``alpha_eff^(2-D) = w^(2-D) - D (D-2) G`` (signed powers);
        * product (E3): ``alpha_eff^2 = |u^2 - v^2| / 2`` from ``u_0 = sqrt2 alpha, v_0 = 0``;
        * difference: ``alpha_eff^2 = |u v|`` (``u v`` is invariant under the flow).

        ``-inf`` (``ops.log(0)``) for a dead coordinate.
        """
        raise NotImplementedError


@dataclass(frozen=True)
class Shared(Parametrisation):
    """``beta = w^D`` (``D = 2``: the paper's model; R1-R9)."""

    D: int = 2
    name = "shared"
    blocks = 1

    def __post_init__(self):
        D = self.D
        if isinstance(D, bool) or not isinstance(D, int) or D < 2:
            raise DomainError("depth", D, "an integer depth >= 2 is required")

    @property
    def depth(self) -> int:
        return self.D

    @property
    def tracks_G_sum(self) -> bool:
        return True

    @property
    def exponential_flow(self) -> bool:
        return self.D == 2

    @property
    def paper_model(self) -> bool:
        return self.D == 2

    @property
    def positive_beta(self) -> bool:
        return True

    def beta(self, theta):
        (w,) = theta
        return w * w if self.D == 2 else w ** self.D

    def step(self, theta, g, eta):
        (w,) = theta
        D = self.D
        if D == 2:
            return (w * (1 - 2 * eta * g),)
        return (w - (eta * D) * g * w ** (D - 1),)

    def jacobians(self, theta):
        (w,) = theta
        D = self.D
        return [D * w ** (D - 1)] if D > 2 else [2 * w]

    def hessians(self, theta):
        (w,) = theta
        D = self.D
        return [[2 + 0 * w if D == 2 else D * (D - 1) * w ** (D - 2)]]

    def gd_factor(self, theta_i):
        D = self.D
        if D == 2:
            return 4
        return Fraction(D ** 3 * (D - 1), 2) * abs(theta_i[0]) ** (2 * D - 4)

    def initial_state(self, alpha, ops):
        return (alpha,)

    def flow_from(self, theta_i, ops):
        (w0,) = theta_i
        if self.D == 2:
            return _Exponential(ops, [(-4, w0 * w0)], lambda s: (w0 * ops.exp(-2 * s),))
        sign = int(_definitely(w0 > 0)) - int(_definitely(w0 < 0))
        base0 = abs(w0) ** (2 - self.D) if sign else None
        return _PowerFlow(ops, self.D, sign, base0)

    def initial_flow(self, alpha, ops):
        return self.flow_from((alpha,), ops)

    def gain(self, theta_i, G_i, alpha, ops):
        (w,) = theta_i
        D = self.D
        if w == 0:
            return ops.log(ops.scalar(0))
        if D == 2:
            return ops.log(w * w / alpha ** 2) + 4 * G_i
        # w^(2-D) moves linearly under the flow (signed: for odd D a negative w keeps its sign
        # and w^(2-D) is negative); log|.| of the effective start
        base = w ** (2 - D) - D * (D - 2) * G_i
        if base == 0:
            return ops.log(ops.scalar(0))
        return (2 / (2 - D)) * ops.log(abs(base) / alpha ** (2 - D))


@dataclass(frozen=True)
class Product(Parametrisation):
    """``beta = u v`` from ``u_0 = sqrt2 alpha, v_0 = 0`` (E3)."""

    name = "product"
    blocks = 2

    def beta(self, theta):
        u, v = theta
        return u * v

    def step(self, theta, g, eta):
        u, v = theta
        eg = eta * g
        return (u - eg * v, v - eg * u)

    def jacobians(self, theta):
        u, v = theta
        return [v, u]

    def hessians(self, theta):
        u, _ = theta
        zero, one = 0 * u, 0 * u + 1
        return [[zero, one], [one, zero]]

    def gd_factor(self, theta_i):
        return 1

    def initial_state(self, alpha, ops):
        return (ops.sqrt(ops.scalar(2)) * alpha, ops.scalar(0))

    def _flow(self, p2, q2, p0, q0, ops):
        # beta = (p^2 - q^2)/4 with p = p0 e^-s, q = q0 e^s
        def theta(s):
            plus, minus = p0 * ops.exp(-s), q0 * ops.exp(s)
            return ((plus + minus) / 2, (plus - minus) / 2)
        return _Exponential(ops, [(-2, p2 / 4), (2, -q2 / 4)], theta)

    def flow_from(self, theta_i, ops):
        u, v = theta_i
        p0, q0 = u + v, u - v
        return self._flow(p0 * p0, q0 * q0, p0, q0, ops)

    def initial_flow(self, alpha, ops):
        a2 = alpha * alpha
        c = ops.sqrt(ops.scalar(2)) * alpha

        def theta(s):  # u = sqrt2 alpha cosh s, v = -sqrt2 alpha sinh s
            return (c * ops.cosh(s), -c * ops.sinh(s))
        closed = (lambda s: -a2 * ops.sinh(2 * s), lambda s: 2 * a2 * ops.cosh(2 * s))
        return _Exponential(ops, [(2, -a2 / 2), (-2, a2 / 2)], theta, closed)

    def gain(self, theta_i, G_i, alpha, ops):
        u, v = theta_i
        return ops.log(abs(u * u - v * v) / (2 * alpha ** 2))


@dataclass(frozen=True)
class Difference(Parametrisation):
    """``beta = u^2 - v^2`` from ``u_0 = v_0 = alpha`` (E4)."""

    name = "difference"
    blocks = 2

    def beta(self, theta):
        u, v = theta
        return u * u - v * v

    def step(self, theta, g, eta):
        u, v = theta
        eg2 = 2 * eta * g
        return (u * (1 - eg2), v * (1 + eg2))

    def jacobians(self, theta):
        u, v = theta
        return [2 * u, -2 * v]

    def hessians(self, theta):
        u, _ = theta
        zero, one = 0 * u, 0 * u + 1
        return [[2 * one, zero], [zero, -2 * one]]

    def gd_factor(self, theta_i):
        return 4

    def initial_state(self, alpha, ops):
        return (alpha, alpha)

    def flow_from(self, theta_i, ops):
        u0, v0 = theta_i

        def theta(s):
            return (u0 * ops.exp(-2 * s), v0 * ops.exp(2 * s))
        return _Exponential(ops, [(-4, u0 * u0), (4, -(v0 * v0))], theta)

    def initial_flow(self, alpha, ops):
        a2 = alpha * alpha

        def theta(s):
            return (alpha * ops.exp(-2 * s), alpha * ops.exp(2 * s))
        closed = (lambda s: -2 * a2 * ops.sinh(4 * s), lambda s: 8 * a2 * ops.cosh(4 * s))
        return _Exponential(ops, [(4, -a2), (-4, a2)], theta, closed)

    def gain(self, theta_i, G_i, alpha, ops):
        u, v = theta_i
        return ops.log(abs(u * v) / alpha ** 2)


def parametrisation(name, depth=2, *, claim: str | None = None) -> Parametrisation:
    """The parametrisation called ``name`` (``depth`` for ``shared`` only).

    Raises
    ------
    DomainError
        An unknown name, a depth that is not an integer ``>= 2``, or ``depth != 2`` for
        ``product`` or ``difference``; ``claim`` is named in the message when given.

    Examples
    --------
    >>> parametrisation("shared", 3)
    Shared(D=3)
    >>> parametrisation("product").beta((3, 4))
    12
    """
    if isinstance(name, Parametrisation):
        return name
    given = depth
    if name not in PARAMETRISATIONS:
        raise DomainError("param", name, f"one of {', '.join(PARAMETRISATIONS)}", claim)
    try:  # an int or an integer type (numpy's), never a bool or a float
        depth = None if isinstance(depth, bool) else operator.index(depth)
    except TypeError:
        depth = None
    if depth is None or depth < 2:
        raise DomainError("depth", given, "an integer depth >= 2 is required", claim)
    if name == "shared":
        return Shared(int(depth))
    if depth != 2:
        raise DomainError("depth", given, "depth > 2 is supported for param='shared' only",
                          claim)
    return Product() if name == "product" else Difference()
