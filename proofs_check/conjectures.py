"""Counterexample search for conjectures: yours, and five built-in ones with honest outcomes.

A conjecture is a predicate over a :class:`Case` (a generated problem, plus the GD run or the
flow you ask it for) and a hypothesis strategy of instances. :func:`search_conjecture`
searches the strategy, shrinks the first counterexample to the simplest one hypothesis can
find, and confirms it at a second precision.

Writing a predicate
-------------------
``predicate(case) -> bool | None | (bool | None, dict)``:

* ``True``: the conjecture holds on this case; ``False``: a counterexample; ``None``: cannot
  be decided here (for instance GD did not converge within the budget). A ``dict`` returned
  alongside is reported with the counterexample (JSON-able values).
* ``case.instance`` is the generated :class:`~proofs_check.strategies.Instance`; ``case.x``,
  ``case.y``, ``case.alpha``, ``case.eta``, ``case.beta_star``, ``case.problem`` (a
  :class:`numerics.Problem`).
* ``case.gd(steps=None, **kw)`` runs :func:`numerics.gd.gradient_descent` at the case's
  precision (``case.precision``: ``"float64"`` while searching, ``"dd"`` when float64 left the
  instance undecided), cached per arguments, for ``case.steps`` steps (the conjecture's budget,
  scaled to the precision). To confirm a counterexample the predicate is evaluated again on the
  two runs of :func:`numerics.audited.audited_gd` (the default pair ``"dd"`` and ``"qd"``; when
  they do not decide, ``"flint:60"`` and ``"flint:120"``).
* ``case.dps`` is the number of decimal digits that precision carries (15, 31, 63, 60 or 120),
  for your own computations (``numerics.flow.gradient_flow(case.problem, case.dps)``).

A counterexample is reported only when the predicate returns ``False`` at *both* precisions of
one pair and no audited GD run it used is ``chaotic``; otherwise (chaotic or precision-starved
digits at every pair) it is ``undecided``. A predicate that reads neither ``case.gd()`` nor the
case's precision (``case.precision``, ``case.dps``, ``case.backend``) gives the same verdict at
every precision:
it is evaluated once and its verdict reported as ``exact`` (the counterexample's ``detail`` has
the key ``"exact"`` instead of one key per precision).

A predicate that raises, or returns something other than a verdict, is reported as a
:class:`PredicateError` (a :class:`~theory.errors.DomainError` of the argument ``predicate``)
naming the instance it failed on and the exception, with its line; the search stops there.

The predicate may carry its own strategy as ``predicate.strategy`` (default:
:func:`proofs_check.strategies.problems` with a learning rate, near the landmarks ``eta_c``,
GD's plateau edge and ``1/(2 y x_min)`` included, and a search of every learning rate near
them on the first instances drawn: :mod:`proofs_check.conjecture_search`). From the command line:
``normsharp counterexample --predicate mymodule:myfunction`` (or ``--predicate
path/to/file.py:myfunction``; see :func:`load_predicate`).

Example
-------
>>> from proofs_check.conjectures import Conjecture, search_conjecture
>>> from proofs_check.strategies import problems
>>> c = Conjecture("small-norm", "||beta^N||_1 <= 1", lambda case: case.y / max(case.x) <= 1,
...                problems(d_max=3))
>>> r = search_conjecture(c, examples=20, seed=0)
>>> r.outcome, r.counterexample["instance"]["x"], r.counterexample["instance"]["y"]
('refuted', ['1', '1'], '2')
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction

from numerics.precision import DEFAULT_PAIR, Precision
from theory._display import compact_repr
from theory.errors import DomainError

from . import strategies as S
from .claim import strategies_built_on_first_use
from .user_functions import load_function, raised_text

__all__ = ["Case", "Conjecture", "ConjectureResult", "search_conjecture",
           "load_predicate", "DEFAULT_STEPS", "PredicateError"]

#: GD step budget of the built-in conjectures
DEFAULT_STEPS = 20000
#: the search judges at float64 (fast); a candidate is confirmed on the two runs of one
#: precision audit, the package's default pair (numerics.precision.DEFAULT_PAIR)
SEARCH_PRECISION = Precision("float64")
PRECISIONS = (SEARCH_PRECISION, *DEFAULT_PAIR)
#: the detail key of a verdict that does not depend on the precision (evaluated once)
EXACT = "exact"


class PredicateError(DomainError):
    """A user's predicate failed on an instance: it raised, or returned no verdict.

    A :class:`~theory.errors.DomainError` of the argument ``predicate`` (the command line's
    ``--predicate``: bad input, exit 2), with the instance and the precision it failed at.

    Attributes
    ----------
    instance : Instance
    precision : str
    """

    def __init__(self, name: str, instance, precision: str, what: str):
        self.instance, self.precision = instance, precision
        super().__init__("predicate", name, f"{what} on the instance {instance.describe()} "
                         f"(at {precision}); a predicate returns True, False or None, "
                         "optionally with a dict")


class _PredicateFailed(BaseException):  # noqa: N818 - a signal through hypothesis, not an error
    """Raised from inside a search when the predicate fails: a BaseException, so that neither
    the search (which judges a raising *claim* as failing) nor hypothesis takes it for a
    counterexample."""

    def __init__(self, instance, precision: str, what: str, cause: BaseException | None):
        super().__init__(what)
        self.instance, self.precision, self.what, self.cause = (instance, precision, what,
                                                                cause)


class Case:
    """What a predicate sees: one instance at one precision (see the module notes).

    When a counterexample is confirmed, the cases at the two precisions of one pair share
    their GD runs through :func:`numerics.audited.audited_gd` (``audits``, with ``side``
    ``"low"`` or ``"high"``, and ``pair`` the audit's precision arguments: ``{}`` for the
    default pair, ``{"precision": 60, "backend": "flint"}``), so the two predicates see the two
    runs of one precision audit. ``steps`` is the step budget at this precision
    (:func:`proofs_check.conjecture_search.steps_at`).
    """

    def __init__(self, instance, precision=SEARCH_PRECISION, steps: int = DEFAULT_STEPS,
                 audits: dict | None = None, side: str = "low", pair: dict | None = None):
        self.instance = instance
        self._backend, self._dps = precision
        self._digits = Precision(*precision).cap
        self._side = side
        self.steps = steps
        self._cache: dict = {}
        self._problem = None
        self._audits = audits
        self._pair = pair or {}
        #: whether the predicate read anything that depends on the precision (``gd()``,
        #: ``precision``, ``dps``, ``backend``); if not, its verdict is the same at every one
        self.used_precision = False

    def _label(self) -> str:
        return self._backend if self._dps is None else f"{self._backend}:{self._dps}"

    @property
    def backend(self) -> str:
        self.used_precision = True
        return self._backend

    @property
    def precision(self) -> str:
        self.used_precision = True
        return self._label()

    @property
    def dps(self) -> int:
        self.used_precision = True
        return self._digits

    @property
    def problem(self):
        if self._problem is None:
            self._problem = self.instance.problem()
        return self._problem

    x = property(lambda self: self.instance.x)
    y = property(lambda self: self.instance.y)
    alpha = property(lambda self: self.instance.alpha)
    eta = property(lambda self: self.instance.eta)
    beta_star = property(lambda self: self.instance.beta_star)

    def gd(self, steps: int | None = None, **kw):
        """GD at this case's precision (cached): a :class:`numerics.gd.GDResult`."""
        from numerics.gd import gradient_descent

        self.used_precision = True
        steps = self.steps if steps is None else steps
        kw.setdefault("record_sharpness", False)
        key = (steps, tuple(sorted(kw.items())))
        if self._audits is not None:
            from numerics.audited import audited_gd

            if key not in self._audits:
                self._audits[key] = audited_gd(self.problem, self.instance.eta, steps,
                                               **self._pair, **kw)
            run = self._audits[key]
            return run.low if self._side == "low" else run.high
        if key not in self._cache:
            self._cache[key] = gradient_descent(self.problem, self.instance.eta, steps,
                                                backend=self._backend, dps=self._dps, **kw)
        return self._cache[key]


@strategies_built_on_first_use("strategy")
@dataclass(frozen=True)
class Conjecture:
    """A conjecture to search: a predicate over :class:`Case` s and a strategy of instances.

    Attributes
    ----------
    name : str
    statement : str
    predicate : callable ``Case -> bool | None | (bool | None, dict)``
    strategy : hypothesis strategy of :class:`~proofs_check.strategies.Instance`
        Given as a strategy, or as a zero-argument callable that builds it on first use (so
        that listing conjectures does not import hypothesis).
    expected : str
        The documented outcome (built-ins), checked by the test suite.
    notes : str
    steps : int, the GD budget of a case at float64 (scaled at higher precisions)
    landmarks : bool
        Whether the search also tries learning rates near ``eta_c``, GD's plateau edge and
        ``1/(2 y x_min)`` (:mod:`proofs_check.landmarks`) on its first one-sample instances,
        inside ``(0, max_factor/(2 y x_min)]``: for conjectures whose strategy draws one-sample
        problems with a learning rate in that range (a predicate without its own strategy,
        :func:`load_predicate`). Off for the built-ins: on ``final-sharpness-below-2-over-eta``
        it judges some 450 more instances, most undecided above ``eta_c``, for 12 s more.
    max_factor : Fraction
        The landmark phase's largest learning rate as a multiple of ``1/(2 y x_min)``: the
        strategy's (default ``11/10``, that of :func:`proofs_check.strategies.problems`).
    """

    name: str
    statement: str
    predicate: Callable
    strategy: object
    expected: str = ""
    notes: str = ""
    steps: int = DEFAULT_STEPS
    landmarks: bool = False
    max_factor: Fraction = Fraction(11, 10)


@compact_repr(fields=("name", "outcome", "examples", "undecided", "counterexample_text",
                      "seed", "seconds"))
@dataclass
class ConjectureResult:
    """The outcome of a search: ``refuted`` (a confirmed, shrunk counterexample),
    ``not refuted`` (none found in ``examples`` instances: not a proof) or ``undecided``
    (candidates exist but the second precision did not confirm them, or nothing was decided)."""

    name: str
    statement: str
    outcome: str
    examples: int
    undecided: int
    counterexample: dict | None
    seed: int
    seconds: float
    expected: str = ""
    notes: str = ""
    reasons: list = field(default_factory=list)
    truncated: bool = False

    def to_json(self) -> dict:
        return {"name": self.name, "statement": self.statement, "outcome": self.outcome,
                "examples": self.examples, "undecided_examples": self.undecided,
                "counterexample": self.counterexample, "seed": self.seed,
                "seconds": round(self.seconds, 3), "expected": self.expected,
                "notes": self.notes, "reasons": self.reasons, "truncated": self.truncated}

    @property
    def exit_code(self) -> int:
        """1 when a counterexample was found (the conjecture is refuted), else 0."""
        return 1 if self.outcome == "refuted" else 0

    @property
    def counterexample_text(self) -> str | None:
        """The counterexample's instance in one line (``None`` when none was found)."""
        return None if self.counterexample is None else self.counterexample["description"]


def _verdict(value):
    """``True``, ``False`` or ``None`` from a predicate's verdict (numpy and sympy booleans
    included); anything else is not a verdict (``ValueError``)."""
    if value is None or isinstance(value, bool):
        return value
    kind = type(value)
    if (kind.__module__ == "numpy" and getattr(value, "dtype", None) is not None
            and value.dtype.kind == "b" and value.shape == ()) or kind.__name__ in (
                "BooleanTrue", "BooleanFalse"):  # a numpy or sympy boolean
        return bool(value)
    raise ValueError(f"returned {_shown(value)} ({type(value).__name__}), not a verdict")


def _shown(value) -> str:
    from theory._display import show

    return show(value, 40)


def _call(predicate, case):
    """``(verdict, detail)`` of the predicate on ``case``; a failure of the predicate is
    signalled with :class:`_PredicateFailed`."""
    try:
        out = predicate(case)
    except Exception as exc:  # noqa: BLE001 - the user's predicate failing is its own finding
        origin = getattr(getattr(predicate, "__code__", None), "co_filename", None)
        raise _PredicateFailed(case.instance, case._label(),
                               f"it raised {raised_text(exc, origin)}", exc) from exc
    try:
        if isinstance(out, tuple):
            if len(out) != 2 or not isinstance(out[1], dict | None):
                raise ValueError(f"returned a tuple {_shown(out)}, not (verdict, dict)")
            verdict, detail = _verdict(out[0]), out[1]
        else:
            verdict, detail = _verdict(out), {}
    except (ValueError, TypeError) as exc:
        raise _PredicateFailed(case.instance, case._label(), str(exc), None) from None
    return verdict, dict(detail or {})


def search_conjecture(conjecture: Conjecture, *, examples: int = 30, seed: int = 0,
                      max_shrinks: int = 40, time_budget: float | None = 30.0
                      ) -> ConjectureResult:
    """Search ``conjecture`` for a counterexample, shrink it and confirm it.

    The search judges with float64 GD, and again at double-double an instance float64 leaves
    undecided; the shrunk candidate (else the first one found) is then confirmed on a
    two-precision audit, the default pair and then python-flint at 60 against 120 digits, each
    with a step budget scaled to its precision. When neither candidate is confirmed, both
    count as undecided and the search goes on past them to the next candidate. With
    ``conjecture.landmarks``, learning rates near ``eta_c``, GD's plateau edge and
    ``1/(2 y x_min)`` are then tried on the first instances drawn. An unconfirmed candidate
    never makes the outcome ``refuted``; a search that ends with only unconfirmed candidates is
    ``undecided``. The phases are those of :mod:`proofs_check.conjecture_search`.

    Parameters
    ----------
    conjecture : Conjecture
    examples : int >= 1, instances to judge before giving up
    seed : int (the outcome is a function of it)
    max_shrinks : judgements spent shrinking
    time_budget : seconds (safety valve: reported as ``truncated``)

    Returns
    -------
    ConjectureResult

    Raises
    ------
    DomainError
        ``examples`` is not an integer >= 1.
    PredicateError
        A user's predicate raised or returned no verdict (on the instance it names), or its
        ``strategy`` attribute is not a hypothesis strategy. (A built-in conjecture that
        raises is a bug: its exception propagates.)
    """
    if isinstance(examples, bool) or not isinstance(examples, int) or examples < 1:
        raise DomainError("examples", examples, "an integer >= 1 is required")
    from .builtin_conjectures import CONJECTURES

    builtin = CONJECTURES.get(conjecture.name) is conjecture
    if not builtin:
        _check_strategy(conjecture)
    try:
        from .conjecture_search import run_search

        return run_search(conjecture, examples, seed, max_shrinks, time_budget)
    except _PredicateFailed as signal:
        if builtin and signal.cause is not None:
            raise signal.cause from None
        raise PredicateError(conjecture.name, signal.instance, signal.precision, signal.what
                             ) from signal.cause


def _check_strategy(conjecture: Conjecture) -> None:
    """A user's conjecture draws from a hypothesis strategy (or the error names it)."""
    from hypothesis.strategies import SearchStrategy

    try:
        strategy = conjecture.strategy
    except Exception as exc:  # noqa: BLE001 - a failing strategy builder is the user's input
        raise DomainError("predicate", conjecture.name, "a predicate whose 'strategy' "
                          f"builds: building it raised {raised_text(exc)}") from None
    if not isinstance(strategy, SearchStrategy):
        raise DomainError("predicate", conjecture.name, "a predicate whose attribute "
                          "'strategy' is a hypothesis strategy (found "
                          f"{type(strategy).__name__})")


def _reproduce_text(conjecture: Conjecture, inst) -> str:
    """Python that re-judges the counterexample: the built-in by name, a user's by function."""
    from .builtin_conjectures import CONJECTURES

    head = ("from proofs_check import instance_from_key; "
            "from proofs_check.conjectures import CONJECTURES, Case; ")
    case = f"Case(instance_from_key({inst.key()!r}))"
    if CONJECTURES.get(conjecture.name) is conjecture:
        return head + f"CONJECTURES[{conjecture.name!r}].predicate({case})"
    fn = conjecture.predicate
    where = f"{getattr(fn, '__module__', '?')}:{getattr(fn, '__qualname__', '?')}"
    return head.replace("CONJECTURES, ", "") + f"<your predicate {where}>({case})"


def load_predicate(spec: str) -> Conjecture:
    """``"path/to/file.py:function"`` or ``"module:function"`` -> a :class:`Conjecture`
    (strategy from ``function.strategy``, or one-sample problems with a learning rate; GD
    budget from ``function.steps``). Both forms find files in the current directory (see
    :mod:`proofs_check.user_functions`).

    Raises
    ------
    DomainError
        ``spec`` is of neither form, names no file or module, the file or module raised while
        importing, it has no such function, the function is not callable, or its ``steps`` is
        not an integer >= 1 (the error names the argument ``predicate``).
    """
    fn = load_function(spec, "predicate")
    steps = getattr(fn, "steps", DEFAULT_STEPS)
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise DomainError("predicate", spec, f"a predicate whose attribute 'steps' is an "
                          f"integer >= 1 (found {_shown(steps)})")
    strategy = getattr(fn, "strategy", None)
    default = strategy is None
    if default:
        strategy = _one_sample_with_eta
    doc = (fn.__doc__ or "").strip()
    return Conjecture(spec, doc.splitlines()[0] if doc else spec, fn, strategy, steps=steps,
                      landmarks=default)


def _one_sample_with_eta():
    """The default domain of a user's predicate: one-sample problems with a learning rate in
    ``(0, 1.1/(2 y x_min)]``, near the landmarks included (:func:`~proofs_check.strategies.
    learning_rates`)."""
    return S.problems(d_max=6, with_eta=True)


def __getattr__(name: str):
    """``CONJECTURES``: the built-in conjectures (:mod:`proofs_check.builtin_conjectures`),
    imported on first use."""
    if name == "CONJECTURES":
        from .builtin_conjectures import CONJECTURES

        return CONJECTURES
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
