"""The claim registry: one :class:`Claim` per result, with its checks and their domains.

A claim has an id (``R1`` .. ``R9`` of [MFCKM26], ``E1`` .. ``E5`` for general diagonal
networks), a statement, a citation, a kind (``identity``, ``equality``, ``upper``, ``lower``,
``qualitative``), the theory functions that encode it, the numerical experiment that tests it,
the domain of instances, and its :class:`Check` s. Each check pairs a judge
(``instance -> Outcome``) with a hypothesis strategy; :func:`proofs_check.verify.verify`
searches each strategy for a failing instance and shrinks it.

Kinds choose the assertion
--------------------------
Every check is tagged with the kind of assertion it implements (``Check.kind``; default: its
claim's kind), and the kind fixes the decision rules it may use
(:data:`proofs_check.decide.KIND_RULES`): ``identity`` checks decide by exact equality only;
``equality`` checks by two-precision agreement; ``upper`` / ``lower`` checks by a one-sided
test (exact, or with certified slack); ``qualitative`` checks by a procedure their docstring
states under ``Decision procedure``. A :class:`Claim` validates this when it is built: the
rules a check's function can reach (read from its code, following the helpers of its own
package) must be allowed for its kind and include one the kind requires; and the claim must
have at least one check of its own kind. :func:`proofs_check.verify.verify` checks the rules
that actually decided each instance as well.

Add your own claim with :func:`register` (or pass ``claims=[...]`` to ``verify``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction

from hypothesis import strategies as st

import theory as T
from theory import general_networks as E

from . import checks as C
from . import checks_general as CG
from . import strategies as S

__all__ = ["Check", "Claim", "REGISTRY", "KINDS", "FAMILIES", "register", "unregister",
           "get_claim", "theory_functions", "decision_rules"]

KINDS = ("identity", "equality", "upper", "lower", "qualitative")
FAMILIES = ("numerics", "exact", "metamorphic")


@dataclass(frozen=True)
class Check:
    """One property of a claim: a judge over a domain of instances.

    Attributes
    ----------
    name : str
        Unique within its claim (``"numerics"``, ``"exact"``, ``"metamorphic"`` ...).
    function : callable ``instance -> Outcome``
    domain : hypothesis strategy of instances
    family : ``"numerics"`` (theory against numerics), ``"exact"`` or ``"metamorphic"``
    weight : float
        Fraction of ``--examples`` this check draws (expensive experiments draw fewer).
    min_examples : int
        At least this many instances (when the weight would give fewer); at least
        :data:`proofs_check.verify.MIN_DECIDED`.
    kind : str or None
        The kind of assertion the check implements (one of :data:`KINDS`); ``None``: its
        claim's kind. See the module notes.
    """

    name: str
    function: Callable
    domain: st.SearchStrategy
    family: str
    weight: float = 1.0
    min_examples: int = 2
    kind: str | None = None

    def examples_for(self, examples: int) -> int:
        return max(self.min_examples, round(examples * self.weight))


def decision_rules(function: Callable) -> frozenset:
    """The decision rules of :mod:`proofs_check.decide` that ``function`` can reach.

    Read from the code: the global names ``function`` uses (its nested functions and
    comprehensions included), following functions of the same top-level package
    transitively. A rule used only on some branch counts (this is what the function *can*
    decide by).
    """
    import inspect

    from . import decide

    primitives = {getattr(decide, r): r for r in decide.RULES}
    package = (getattr(function, "__module__", "") or "").split(".")[0]
    found: set = set()
    seen: set = set()
    stack = [function]
    while stack:
        fn = inspect.unwrap(stack.pop())
        if id(fn) in seen or not hasattr(fn, "__code__"):
            continue
        seen.add(id(fn))
        codes = [fn.__code__]
        names: set = set()
        while codes:
            code = codes.pop()
            names.update(code.co_names)
            codes.extend(c for c in code.co_consts if inspect.iscode(c))
        for name in names:
            obj = fn.__globals__.get(name)
            if obj is None:
                continue
            try:
                rule = primitives.get(obj)
            except TypeError:  # unhashable
                continue
            if rule is not None:
                found.add(rule)
            elif inspect.isfunction(obj) and (obj.__module__ or "").split(".")[0] in (
                    package, "proofs_check"):
                stack.append(obj)
    return frozenset(found)


def _validate_check(claim_id: str, check: Check) -> None:
    from .decide import KIND_RULES
    from .verify import MIN_DECIDED

    where = f"claim {claim_id}, check {check.name!r}"
    if check.kind not in KINDS:
        raise ValueError(f"{where}: kind = {check.kind!r}, one of {KINDS} is required")
    if check.family not in FAMILIES:
        raise ValueError(f"{where}: family = {check.family!r}, one of {FAMILIES} is required")
    if check.min_examples < MIN_DECIDED:
        raise ValueError(f"{where}: min_examples = {check.min_examples}; a check needs at "
                         f"least {MIN_DECIDED} decided instances to be verified")
    required, allowed = KIND_RULES[check.kind]
    if check.kind == "qualitative":
        if "Decision procedure" not in (check.function.__doc__ or ""):
            raise ValueError(f"{where}: a qualitative check documents its decision procedure "
                             "(a docstring section 'Decision procedure')")
        return
    rules = decision_rules(check.function)
    if rules - allowed:
        raise ValueError(f"{where}: tagged {check.kind!r}, but it can decide by "
                         f"{', '.join(sorted(rules - allowed))} (allowed: "
                         f"{', '.join(sorted(allowed))})")
    if not rules & required:
        raise ValueError(f"{where}: tagged {check.kind!r}, but it uses none of "
                         f"{', '.join(sorted(required))}")


@dataclass(frozen=True)
class Claim:
    """A registered claim.

    Attributes
    ----------
    id, statement, citation, kind : str
    theory : tuple of callables
        The functions that encode the claim exactly (each with ``__claim__``).
    experiment : tuple of str
        The numerical experiment(s), as dotted names (``numerics.hessian.spectrum``).
    domain : hypothesis strategy
        The claim's domain of instances (that of its first check).
    domain_text : str
        The domain in words.
    checks : tuple of Check
    notes : str
        What the checks do not cover, and deviations from the specification found.
    """

    id: str
    statement: str
    citation: str
    kind: str
    theory: tuple
    experiment: tuple
    domain_text: str
    checks: tuple
    notes: str = ""
    domain: st.SearchStrategy = field(default=None, compare=False)

    def __post_init__(self):
        from dataclasses import replace

        if self.kind not in KINDS:
            raise ValueError(f"kind = {self.kind!r}: one of {KINDS}")
        if not self.checks:
            raise ValueError(f"claim {self.id} has no checks")
        checks = tuple(c if c.kind is not None else replace(c, kind=self.kind)
                       for c in self.checks)
        for c in checks:
            _validate_check(self.id, c)
        if not any(c.kind == self.kind for c in checks):
            raise ValueError(f"claim {self.id} is of kind {self.kind!r} but none of its checks "
                             f"is (kinds: {', '.join(c.kind for c in checks)})")
        object.__setattr__(self, "checks", checks)
        if self.domain is None:
            object.__setattr__(self, "domain", self.checks[0].domain)

    def check(self, name: str) -> Check:
        for c in self.checks:
            if c.name == name:
                return c
        raise KeyError(f"claim {self.id} has no check {name!r}")


REGISTRY: dict[str, Claim] = {}


def register(claim: Claim, *, replace: bool = False) -> Claim:
    """Add ``claim`` to :data:`REGISTRY` (``replace=True`` to overwrite an id)."""
    if claim.id in REGISTRY and not replace:
        raise ValueError(f"claim {claim.id} is already registered")
    REGISTRY[claim.id] = claim
    return claim


def unregister(claim_id: str) -> None:
    """Remove a claim from :data:`REGISTRY` (no error when absent)."""
    REGISTRY.pop(claim_id, None)


def get_claim(claim_id: str) -> Claim:
    try:
        return REGISTRY[claim_id]
    except KeyError:
        from theory.errors import DomainError

        raise DomainError("--claim", claim_id, f"one of {', '.join(REGISTRY)}") from None


def theory_functions(claim_id: str) -> tuple:
    """The functions of :data:`theory.CLAIM_FUNCTIONS` (and of :mod:`proofs_check.general`)
    citing ``claim_id``."""
    pool = tuple(T.CLAIM_FUNCTIONS) + tuple(E.E_FUNCTIONS)
    return tuple(f for f in pool if T.citation_of(f) and T.citation_of(f).claim == claim_id)


def _citation(claim_id: str) -> str:
    fns = theory_functions(claim_id)
    if not fns:
        return ""
    c = T.citation_of(fns[0])
    return f"{c.source}, {c.claim}"


# ------------------------------------------------------------------------------ domains
ONE = S.problems(d_max=8)
ONE_SMALL = S.problems(d_max=4)
ONE_POINT = S.problems(d_max=6, with_beta_star=True)
ONE_ETA_POINT = S.problems(d_max=6, with_eta=True, with_beta_star=True)
ONE_ETA = S.problems(d_max=6, with_eta=True)
FLOW = S.problems(d_max=4, alpha=S.alphas(large=False, max_value=Fraction(1, 2)))
FLOW_POINT = S.problems(d_max=4, alpha=S.alphas(large=False, max_value=Fraction(1, 2)),
                        with_beta_star=True)


def _no_dead_factor(inst) -> bool:
    """No first-step factor ``1 - 2 eta r_0 x_i`` is exactly zero: a dead coordinate is a
    non-generic exact cancellation that any perturbation undoes (a tiny extra coordinate
    changes ``r_0``; rounding ``eta`` at a finite precision leaves ``w ~ 10^-p``, which regrows),
    so the tiny-coordinate relation and the identity along a rounded trajectory are singular
    there; ``check_R7_dead_factor`` covers these instances."""
    r0 = inst.alpha ** 2 * sum(inst.x) - inst.y
    return all(1 - 2 * inst.eta * r0 * xi != 0 for xi in inst.x)


def _r0_nonpositive(inst) -> bool:
    return inst.alpha ** 2 * sum(inst.x) <= inst.y


def _two_d_eta(eos: bool):
    """d = 2, distinct x, eta in the stable range (R9 exact) ."""

    @st.composite
    def draw(draw):
        x = draw(S.features(2, 2, distinct=True))
        y = draw(S.labels())
        lo, hi = Fraction(1) / (2 * y * max(x)), Fraction(1) / (2 * y * min(x))
        t = draw(S.rationals(0, 1, 20))
        return S.Instance((x,), y, Fraction(1, 100), lo + t * (hi - lo), edge=(
            "threshold" if t in (0, 1) else ""))

    return draw()


def _r9_domain():
    """d = 2 with ``x_min / x_max`` in ``[1/2, 9/10]``, ``alpha`` in ``{1/1000 .. 1/20}``;
    ``eta`` either ``t eta_c`` (below ``eta_c``) or ``eta_c + t (top - eta_c)`` with ``top`` =
    :func:`proofs_check.checks.r9_top` (above ``eta_c``; when ``eta_c`` is not below ``top``
    there is no such rate, and the draw is below ``eta_c``)."""

    @st.composite
    def draw(draw):
        x1 = draw(S.rationals(1, 4, 2))
        ratio = draw(S.rationals(Fraction(1, 2), Fraction(9, 10), 10))
        y = draw(S.labels(Fraction(1, 2), 2, 2))
        a = draw(st.sampled_from([Fraction(1, 100), Fraction(1, 20), Fraction(1, 1000)]))
        x = (x1, x1 * ratio)
        ref = C.gf_limit_reference(x, y, a, 20)
        eta_c = 2 / C._S_on_M(x, ref)
        top = C.r9_top(x, y)
        t = draw(S.rationals(Fraction(1, 10), Fraction(9, 10), 10))
        above = draw(st.booleans())
        eta = (eta_c + t * (top - eta_c)).limit_denominator(10**6) if above else None
        if eta is None or not eta_c < eta <= top:
            return S.Instance((x,), y, a, (eta_c * t).limit_denominator(10**6),
                              edge="below eta_c")
        return S.Instance((x,), y, a, eta, edge="above eta_c")

    return draw()


def _u_shape_domain():
    """d = 2 with ``x_min / x_max`` in ``[1/2, 3/4]`` (so that ``eta* = 2/S(mu)`` lies inside
    ``(eta_c, r9_top]``), ``alpha`` in ``{1/1000, 1/100, 1/20}``; no learning rate (the checks
    choose theirs)."""

    @st.composite
    def draw(draw):
        x1 = draw(S.rationals(1, 4, 2))
        ratio = draw(S.rationals(Fraction(1, 2), Fraction(3, 4), 8))
        y = draw(S.labels(Fraction(1, 2), 2, 2))
        a = draw(st.sampled_from([Fraction(1, 100), Fraction(1, 20), Fraction(1, 1000)]))
        return S.Instance(((x1, x1 * ratio),), y, a)

    return draw()


def _stable_eta(inst) -> bool:
    return inst.eta <= 1 / (2 * inst.y * min(inst.x))


def _underdetermined(inst) -> bool:
    return inst.d > inst.n


def _well_conditioned(inst) -> bool:
    """``det(X X^T) / tr(X X^T)^n >= 1/100`` (for ``n = 2`` about ``lambda_min / lambda_max >=
    1/100``): with a nearly rank-deficient ``X`` the flow's slowest direction is too slow for
    the GD ladder of :func:`proofs_check.experiments.gf_limit_by_gd` to converge in its budget
    (an undecided instance, not a finding about E4)."""
    X = inst.X
    n = len(X)
    G = [[sum(a * b for a, b in zip(X[i], X[j], strict=True)) for j in range(n)]
         for i in range(n)]
    trace = sum(G[i][i] for i in range(n))
    det = Fraction(1)  # Gaussian elimination in Fractions (G is symmetric positive semidefinite)
    for k in range(n):
        if G[k][k] == 0:
            return False
        det *= G[k][k]
        for i in range(k + 1, n):
            f = G[i][k] / G[k][k]
            G[i] = [a - f * b for a, b in zip(G[i], G[k], strict=True)]
    return det * 100 >= trace ** n


def _multi(param, *, n_max=3, d_max=4, zero_loss=False):
    return S.parameter_points(param=param, n_min=1, n_max=n_max, d_min=2, d_max=d_max,
                              zero_loss=zero_loss)


def _both(fn):
    return st.one_of(fn("product"), fn("difference"))


def _e3_domain(moderate: bool):
    @st.composite
    def draw(draw):
        inst = draw(S.multi_sample_problems(1, 3, 2, 4, param="product"))
        if moderate:
            import numpy as np

            X = np.array([[float(v) for v in r] for r in inst.X])
            scale = float(np.abs(X).sum() ** 2 + np.abs(np.array(
                [float(v) for v in inst.ys])).sum() + 1)
            eta = Fraction(1, 20 * int(scale + 1)) * draw(S.rationals(1, 4, 1))
        else:
            eta = draw(S.rationals(Fraction(1, 20), 2, 20))
        return inst.replace(eta=eta)

    return draw()


def _e4_domain():
    @st.composite
    def draw(draw):
        inst = draw(S.parameter_points(param="difference", n_min=1, n_max=2, d_min=2,
                                       d_max=4, zero_loss=True, max_value=1))
        a = draw(st.sampled_from([Fraction(1, 2), Fraction(1, 5), Fraction(1, 10), 1]))
        return S.Instance(inst.X, inst.y, a, param="difference")

    return draw().filter(lambda inst: any(v != 0 for v in inst.ys))


def _e5_domain():
    @st.composite
    def draw(draw):
        param = draw(st.sampled_from(["shared", "product", "difference"]))
        a = draw(st.sampled_from([Fraction(1, 10), Fraction(1, 2), Fraction(1, 100), 1]))
        if param == "shared":
            x = draw(S.features(2, 4, max_value=2))
            y = draw(S.labels())
        else:
            d = draw(st.integers(2, 4))
            x = tuple(draw(S.rationals(-2, 2, 4)) for _ in range(d))
            y = draw(S.rationals(-2, 2, 4))
        return S.Instance((x,), y, a, param=param)

    return draw().filter(lambda inst: any(v != 0 for v in inst.X[0]) and inst.ys[0] != 0)


# ------------------------------------------------------------------------------- claims
def _R(claim_id, statement, kind, experiment, domain_text, checks, notes=""):
    return Claim(claim_id, statement, _citation(claim_id), kind, theory_functions(claim_id),
                 experiment, domain_text, tuple(checks), notes)


def _build() -> list[Claim]:
    ck = Check  # Check(name, function, domain, family, weight, min_examples, kind)
    return [
        _R("R1", "grad L = 2 r (x*w), Hess L = 4 (x*w)(x*w)^T + 2 r diag(x); on M the Hessian "
           "has rank one and S = 4 sum_i x_i^2 beta_i.", "identity",
           ("numerics.hessian.spectrum",),
           "x > 0 (d = 2..6, ties), y > 0 or y = <x, w*w>, w rational of any sign", [
               ck("exact", C.check_R1_exact, S.parameter_points(d_max=5), "exact", 0.5),
               ck("zero_loss", C.check_R1_zero_loss_exact,
                  S.parameter_points(d_max=6, zero_loss=True), "exact", 0.5),
               ck("numerics", C.check_R1_numerics, S.parameter_points(d_max=6), "numerics",
                  0.5, kind="equality"),
               ck("metamorphic", C.check_R1_metamorphic,
                  S.transformed(S.parameter_points(d_max=5)), "metamorphic", 0.3),
           ]),
        _R("R2", "min ||w||_2^2 = min ||beta||_1 over M is attained at beta^N = (y/x_max) "
           "e_argmax (the centroid of the face when x_max is tied); norm y/x_max, sharpness "
           "4 y x_max, the largest on M.", "identity", ("numerics.hessian.spectrum",),
           "x > 0 (d = 2..8, ties), y > 0, a random point of M", [
               ck("exact", C.check_R2_exact, ONE, "exact"),
               ck("bounds", C.check_R2_bounds, S.problems(d_max=8, with_beta_star=True),
                  "exact", 0.5, kind="lower"),
               ck("numerics", C.check_R2_numerics, ONE, "numerics", 0.3, kind="equality"),
               ck("metamorphic", C.check_R2_metamorphic, S.transformed(ONE), "metamorphic",
                  0.5),
           ]),
        _R("R3", "min S over M is attained at beta^S = (y/x_min) e_argmin; sharpness 4 y x_min, "
           "norm y/x_min, the largest on M.", "identity", ("numerics.hessian.spectrum",),
           "x > 0 (d = 2..8, ties), y > 0, a random point of M", [
               ck("exact", C.check_R3_exact, ONE, "exact"),
               ck("bounds", C.check_R3_bounds, S.problems(d_max=8, with_beta_star=True),
                  "exact", 0.5, kind="lower"),
               ck("numerics", C.check_R3_numerics, ONE, "numerics", 0.3, kind="equality"),
               ck("metamorphic", C.check_R3_metamorphic, S.transformed(ONE), "metamorphic",
                  0.5),
           ]),
        _R("R4", "On M: 4 y x_min <= S <= 4 y x_max and y/x_max <= ||beta||_1 <= y/x_min; for "
           "d = 2 ||beta||_1 = y (x1 + x2)/(x1 x2) - S/(4 x1 x2); for d > 2 the least norm at "
           "given sharpness is the chain of edges of M joining vertices adjacent in the order "
           "of x.", "lower", ("scipy.optimize.linprog (HiGHS)",),
           "x > 0 (d = 2..6, ties), y > 0, a random point of M", [
               ck("exact", C.check_R4_exact, ONE_POINT, "exact"),
               ck("numerics", C.check_R4_numerics, ONE_POINT, "numerics", 0.5,
                  kind="qualitative"),
               ck("metamorphic", C.check_R4_metamorphic, S.transformed(ONE), "metamorphic",
                  0.5, kind="identity"),
           ]),
        _R("R5", "At an interpolator the GD map has Jacobian I - eta Hess L with non-trivial "
           "eigenvalue 1 - eta S: stable iff S <= 2/eta; beta^N is unstable for "
           "eta > 1/(2 y x_max) and no interpolator is stable for eta > 1/(2 y x_min).",
           "identity", ("Parametrisation.step (finite differences)",
                         "numerics.gd"),
           "x > 0 (d = 2..6, ties), y > 0, eta in (0, 1.1/(2 y x_min)] with the thresholds "
           "exactly, a random point of M", [
               ck("exact", C.check_R5_exact, ONE_ETA_POINT, "exact"),
               ck("least_norm_stable", C.check_R5_least_norm_stable,
                  ONE_ETA_POINT.filter(_stable_eta), "exact", 0.5, kind="lower"),
               ck("numerics", C.check_R5_numerics, ONE_ETA_POINT, "numerics", 0.4,
                  kind="equality"),
               ck("metamorphic", C.check_R5_metamorphic,
                  S.transformed(S.problems(d_max=5, with_eta=True)), "metamorphic", 0.3,
                  kind="equality"),
           ]),
        _R("R6", "Gradient flow from w_0 = alpha 1 converges to beta^GF_i = alpha^2 "
           "exp(lambda x_i), sum_i x_i alpha^2 exp(lambda x_i) = y; it minimises "
           "sum beta_i log(beta_i/alpha^2) - beta_i on M and tends to beta^N as alpha -> 0; "
           "eta_c = 2/s_GF.", "equality",
           ("proofs_check.experiments.gf_limit_by_gd (GD, eta -> 0, Richardson)",
            "numerics.flow.audited_flow"),
           "x > 0 (d = 2..4, ties), y > 0, alpha in [1e-12, 1/2]", [
               ck("numerics", C.check_R6_numerics, FLOW, "numerics", 0.4),
               ck("potential", C.check_R6_potential, FLOW_POINT, "numerics", 0.4,
                  kind="lower"),
               ck("first_order", C.check_R6_first_order, FLOW_POINT, "numerics", 0.4),
               ck("small_alpha", C.check_R6_small_alpha, S.problems(d_max=4), "exact", 0.2,
                  kind="qualitative"),
               ck("flow", C.check_R6_flow, S.problems(
                   d_min=2, d_max=2, alpha=S.alphas(large=False, tiny=False,
                                                    max_value=Fraction(1, 4))).filter(
                   _r0_nonpositive), "numerics", 0.1, 2),
               ck("metamorphic", C.check_R6_metamorphic, S.transformed(FLOW), "metamorphic",
                  0.3),
           ], notes="s_GF is not always attained at the end of the path (large alpha): the "
           "flow check covers theory's sufficient condition; the conjecture "
           "s-gf-attained-at-end produces the counterexample."),
        _R("R7", "GD acts multiplicatively: w_{k+1} = w_k (1 - 2 eta r_k x), beta_K = alpha^2 "
           "prod_k (1 - 2 eta r_k x)^2; as GF from the effective initialisation "
           "alpha^2 exp(-G_i), G_i = sum_k [-2 log|1 - 2 eta r_k x_i| - 4 eta r_k x_i]; a zero "
           "factor kills a coordinate.", "identity", ("numerics.gd.iterate",
                                                     "numerics.gd.gains"),
           "x > 0 (d = 2..6, ties), y > 0, eta in the stable range with thresholds and exactly "
           "zero factors", [
               ck("exact", C.check_R7_exact, ONE_ETA, "exact", 0.5),
               ck("dead_factor", C.check_R7_dead_factor, S.dead_factor_problems(d_max=6),
                  "exact", 0.3, kind="equality"),
               ck("numerics", C.check_R7_numerics, ONE_ETA.filter(_no_dead_factor),
                  "numerics", 0.3, kind="equality"),
               ck("metamorphic", C.check_R7_metamorphic, S.problems(d_max=6, with_eta=True),
                  "metamorphic", 0.3),
               ck("tiny_coordinate", C.check_R7_tiny_coordinate,
                  S.problems(d_max=5, with_eta=True, max_factor=1).filter(_no_dead_factor),
                  "metamorphic", 0.3, kind="qualitative"),
           ]),
        _R("R8", "With beta* random on M with mean mu (Sigma = I) the expected error of an "
           "interpolator is ||beta - mu||^2 + tr Cov(beta*), minimised over M at mu; unless "
           "mu = beta^N (resp. beta^S) both biases are strictly worse, the best interpolator "
           "lying strictly between; uniform prior: mu_i = y/(d x_i).", "identity",
           ("numerics.gd (population risk)",),
           "x > 0 (d = 2..6, ties), y > 0, ground truth on M or off it, diagonal Sigma", [
               ck("exact", C.check_R8_exact, ONE_POINT, "exact", 0.5),
               ck("optimality", C.check_R8_optimality, S.problems(
                   d_max=5, with_beta_star=True).flatmap(_off_M), "exact", 0.5, kind="lower"),
               ck("numerics", C.check_R8_numerics, _u_shape_domain(), "numerics", 0.1,
                  kind="lower"),
           ], notes="The specification's 'unless mu is a vertex' is 'unless mu = beta^N "
           "(resp. beta^S)' for d >= 3 (theory.bias_gaps)."),
        _R("R9", "For d = 2 and eta_c < eta < 1/(2 y x_min) the GD limit is close to the "
           "unique interpolator with S = 2/eta (GD stops slightly below); below eta_c it stays "
           "near beta^GF; the error along eta is U-shaped.",
           "qualitative", ("numerics.audit.audited_gd",),
           "d = 2, x_min/x_max in [1/2, 9/10], alpha in {1/1000, 1/100, 1/20}, eta in "
           "(0, 0.9/(2 y x_min))", [
               ck("exact", C.check_R9_exact, _two_d_eta(True), "exact", 0.5,
                  kind="identity"),
               ck("numerics", C.check_R9_numerics, _r9_domain(), "numerics", 0.3, 3),
               ck("u_shape", C.check_R9_u_shape, _u_shape_domain(), "numerics", 0.1, 2),
           ], notes="Quantitative reading of 'close': eta S_final / 2 in [0.95, 1] above "
           "eta_c, |S - s_GF| <= 0.025 s_GF below (bands from measurements, see "
           "proofs_check.checks.EOS_BAND). Runs that diverge or do not converge are undecided "
           "(see conjecture gd-limit-reachable-up-to-stability-limit). The domain stops at "
           "r9_top = min(0.9/(2 y x_min), 1.5/(2 y x_max)) and x_min/x_max >= 1/2: closer to "
           "1/(2 y x_min) GD is chaotic; and once 2 eta y x_max exceeds about 1.6 GD from "
           "alpha 1 overshoots and, for some rates, converges (both precisions agreeing) to "
           "an interpolator far flatter than 2/eta, eta S/2 down to 0.83 (x_min/x_max near "
           "1/2; e.g. x = (4, 2), y = 1/2, alpha = 1/20, eta = 0.4309: 0.888). There 'GD stops "
           "slightly below 2/eta' does not hold; the domain excludes it, and "
           "tests/proofs_check/test_registry.py keeps that counterexample."),
        Claim("E1", "H = J^T J + [[0, diag g], [diag g, 0]], J = n^(-1/2) X [diag v | diag u] "
              "(product); on zero loss S = (1/n) lambda_max(X diag(u^2 + v^2) X^T) and the "
              "Hessian has a (2d - n)-fold zero eigenvalue.", E.SOURCES["E1"] + ", E1",
              "identity", theory_functions("E1"), ("numerics.hessian.spectrum",),
              "X: n = 1..3 signed rational samples, d = 2..4, (u, v) rational; y = X beta "
              "for the zero-loss checks", (
                  ck("exact", CG.check_E1_exact, _both(lambda p: _multi(p, n_max=2, d_max=3)),
                     "exact", 0.3),
                  ck("numerics", CG.check_E1_numerics,
                     _both(lambda p: _multi(p, zero_loss=True)), "numerics", 0.4,
                     kind="equality"),
              ), notes="The (2d - n)-fold zero holds when rank J = n; in general it is "
              "(2d - rank J)-fold (checked)."),
        Claim("E2", "u_i^2 + v_i^2 >= 2|beta_i| (equality iff balanced), so the least "
              "sharpness over factorisations is (2/n) lambda_max(X diag|beta| X^T), convex in "
              "beta, a weighted l1 norm when n = 1; depth D: (D/n) lambda_max(X "
              "diag|beta|^(2-2/D) X^T), least parameter norm D sum |beta_i|^(2/D).",
              E.SOURCES["E2"] + ", E2", "lower", theory_functions("E2"),
              ("numerics.hessian.spectrum", "flint eigenvalues"),
              "X: n = 1..3, d = 2..4, (u, v) rational, zero loss", (
                  ck("exact", CG.check_E2_exact, _multi("product", d_max=5), "exact", 0.5),
                  ck("numerics", CG.check_E2_numerics, _multi("product", zero_loss=True),
                     "numerics", 0.4, kind="equality"),
                  ck("flattest", CG.check_E2_flattest, _multi("product", zero_loss=True),
                     "numerics", 0.3),
              ), notes="Depth D is checked for D = 3 by exact AM-GM (numerics has no depth-D "
              "product parametrisation). That the minimum-sharpness interpolator is an SDP and "
              "the minimum-norm one an LP is a formulation, not a numerical claim."),
        Claim("E3", "(u+v)_{k+1} = (u+v)_k (1 - eta g_k), (u-v)_{k+1} = (u-v)_k (1 + eta g_k); "
              "from u_0 = sqrt2 alpha, v_0 = 0: arcsinh(beta_K/alpha_K^2) = -2 sum_k "
              "artanh(eta g_k), alpha_K^2 = alpha^2 prod_k |1 - eta^2 g_k^2|.",
              E.SOURCES["E3"] + ", E3", "identity", theory_functions("E3"),
              ("numerics.gd.iterate", "numerics.gd.gains"),
              "X: n = 1..3 signed samples, d = 2..4, eta rational", (
                  ck("exact", CG.check_E3_exact, _e3_domain(False), "exact", 0.5),
                  ck("numerics", CG.check_E3_numerics, _e3_domain(True), "numerics", 0.3,
                     kind="equality"),
              ), notes="The arcsinh form needs |eta g_k| < 1 for all k; in general "
              "arcsinh(beta_K/alpha_K^2) = sign(P) log|P|, P = prod (1 - eta g)/(1 + eta g) "
              "(checked exactly)."),
        Claim("E4", "Gradient flow on beta = u*u - v*v from u_0 = v_0 = alpha 1 converges to "
              "argmin Q_alpha(beta) s.t. X beta = y, Q_alpha = alpha^2 sum q(beta_i/alpha^2), "
              "q(z) = 2 - sqrt(4 + z^2) + z arcsinh(z/2); alpha -> 0 gives min l1, "
              "alpha -> oo min l2.", E.SOURCES["E4"] + ", E4", "equality",
              theory_functions("E4"),
              ("proofs_check.experiments.gf_limit_by_gd (GD, eta -> 0, Richardson)",),
              "X: n = 1..2 signed samples of full row rank, d = 2..4, y = X beta_0, "
              "alpha in {1/10, 1/5, 1/2, 1}; the GD experiment needs det(X X^T) >= "
              "tr(X X^T)^n / 100", (
                  ck("numerics", CG.check_E4_numerics,
                     _e4_domain().filter(_well_conditioned), "numerics", 0.3),
                  ck("potential", CG.check_E4_potential, _e4_domain().filter(_underdetermined),
                     "numerics", 0.2, kind="lower"),
                  ck("limits", CG.check_E4_limits, _e4_domain(), "numerics", 0.2,
                     kind="qualitative"),
              ), notes="The flow is approximated by GD with eta -> 0 (Richardson); "
              "numerics.flow's Taylor integrator takes tens of seconds per run and is not "
              "used in the default verification."),
        Claim("E5", "With one sample the GF path has one scalar unknown R = int r dt; its limit "
              "solves <x, beta(R)> = y, a 1-D root-finding problem.",
              E.SOURCES["E5"] + ", E5", "equality", theory_functions("E5"),
              ("proofs_check.experiments.gf_limit_by_gd (GD, eta -> 0, Richardson)",),
              "one sample, shared (x > 0), product and difference (signed x), d = 2..4", (
                  ck("numerics", CG.check_E5_numerics, _e5_domain(), "numerics", 0.4),
              )),
    ]


def _off_M(inst):
    """Replace the ground truth by a point off M (scaled, shifted) half the time."""
    return st.sampled_from([0, 1, 2]).map(lambda k: inst if k == 0 else inst.replace(
        beta_star=tuple(v * (1 + Fraction(k, 3)) + Fraction(k - 1, 4)
                        for v in inst.beta_star)))


for _claim in _build():
    register(_claim)
