"""One claim and its checks: the records every room of :mod:`proofs_check.checks` declares.

A :class:`Claim` has an id (``R1`` .. ``R9`` of [MFCKM26], ``E1`` .. ``E5`` for general diagonal
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
have at least one check of its own kind.

Domains are built on first use
------------------------------
A domain is a hypothesis strategy, or a zero-argument callable that builds one: the callable is
called the first time ``check.domain`` is read (:func:`strategies_built_on_first_use`), so
declaring and listing claims does not import hypothesis; a search does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["Check", "Claim", "KINDS", "FAMILIES", "MIN_DECIDED", "declare",
           "theory_functions", "decision_rules", "strategies_built_on_first_use"]

KINDS = ("identity", "equality", "upper", "lower", "qualitative")
FAMILIES = ("numerics", "exact", "metamorphic")
#: fewest decided instances with which a check can be ``verified``
MIN_DECIDED = 2


class _BuiltOnFirstRead:
    """A dataclass field holding a strategy, or a zero-argument callable building it; reading
    the field calls the callable once and keeps its strategy. (A hypothesis strategy is not
    callable; anything callable is taken for a builder.)"""

    def __init__(self, name: str):
        self.slot = f"_{name}_built_on_first_read"

    def __get__(self, obj, owner=None):
        if obj is None:
            return self
        value = obj.__dict__.get(self.slot)
        if callable(value):
            value = value()
            obj.__dict__[self.slot] = value
        return value

    def __set__(self, obj, value):
        obj.__dict__[self.slot] = value


def strategies_built_on_first_use(*names: str):
    """Class decorator for a (frozen) dataclass: each field in ``names`` accepts a hypothesis
    strategy or a zero-argument callable building one, and reading the field gives the
    strategy, built on the first read. Applied after ``@dataclass``, so the fields keep their
    place, default and ``compare`` flag."""

    def install(cls):
        for name in names:
            setattr(cls, name, _BuiltOnFirstRead(name))
        return cls

    return install


@strategies_built_on_first_use("domain")
@dataclass(frozen=True)
class Check:
    """One property of a claim: a judge over a domain of instances.

    Attributes
    ----------
    name : str
        Unique within its claim (``"numerics"``, ``"exact"``, ``"metamorphic"`` ...).
    function : callable ``instance -> Outcome``
    domain : hypothesis strategy of instances
        Given as a strategy or as a zero-argument callable that builds it on first use.
    family : ``"numerics"`` (theory against numerics), ``"exact"`` or ``"metamorphic"``
    weight : float
        Fraction of ``examples`` this check draws (expensive experiments draw fewer).
    min_examples : int
        At least this many instances (when the weight would give fewer); at least
        :data:`MIN_DECIDED`.
    kind : str or None
        The kind of assertion the check implements (one of :data:`KINDS`); ``None``: its
        claim's kind. See the module notes.
    admits : :class:`proofs_check.domains.Domain` or None
        The domain as testable conditions, for checking one given instance
        (:func:`proofs_check.verify.verify_instance`); ``None``: the table
        :data:`proofs_check.domains.DOMAINS` says.
    """

    name: str
    function: Callable
    domain: object = field(compare=False)
    family: str
    weight: float = 1.0
    min_examples: int = 2
    kind: str | None = None
    admits: object = field(default=None, compare=False)

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


@strategies_built_on_first_use("domain")
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
    domain: object = field(default=None, compare=False)

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"kind = {self.kind!r}: one of {KINDS}")
        if not self.checks:
            raise ValueError(f"claim {self.id} has no checks")
        checks = tuple(c if c.kind is not None else _with_kind(c, self.kind)
                       for c in self.checks)
        for c in checks:
            _validate_check(self.id, c)
        if not any(c.kind == self.kind for c in checks):
            raise ValueError(f"claim {self.id} is of kind {self.kind!r} but none of its checks "
                             f"is (kinds: {', '.join(c.kind for c in checks)})")
        object.__setattr__(self, "checks", checks)
        if self.__dict__.get(type(self).domain.slot) is None:
            first = checks[0]
            object.__setattr__(self, "domain", lambda: first.domain)

    def check(self, name: str) -> Check:
        for c in self.checks:
            if c.name == name:
                return c
        raise KeyError(f"claim {self.id} has no check {name!r}")


def _with_kind(check: Check, kind: str) -> Check:
    """``check`` tagged ``kind`` (a copy that keeps its domain unbuilt, unlike
    :func:`dataclasses.replace`, which reads every field)."""
    import copy

    tagged = copy.copy(check)
    object.__setattr__(tagged, "kind", kind)
    return tagged


def theory_functions(claim_id: str) -> tuple:
    """The functions of :data:`theory.CLAIM_FUNCTIONS` (and of
    :data:`theory.general_networks.E_FUNCTIONS`) citing ``claim_id``."""
    import theory as T
    from theory import general_networks as E

    pool = tuple(T.CLAIM_FUNCTIONS) + tuple(E.E_FUNCTIONS)
    return tuple(f for f in pool if T.citation_of(f) and T.citation_of(f).claim == claim_id)


def _citation(claim_id: str) -> str:
    """``"R2, [MFCKM26] arXiv 2505.21423, as reconstructed in the project's specification"``:
    the citation of the first theory function citing ``claim_id`` (see
    :class:`theory.citations.Citation`); empty when none does."""
    import theory as T

    fns = theory_functions(claim_id)
    if not fns:
        return ""
    return str(T.citation_of(fns[0]))


def declare(claim_id: str, statement: str, kind: str, experiment: tuple, domain_text: str,
            checks, notes: str = "") -> Claim:
    """A :class:`Claim` whose citation and theory functions are read from theory's citation
    records (the functions citing ``claim_id``)."""
    return Claim(claim_id, statement, _citation(claim_id), kind, theory_functions(claim_id),
                 experiment, domain_text, tuple(checks), notes)
