r"""Names of real numbers and the boundary adversary (C5, C6).

A real input reaches an algorithm as a *name*: a function ``n -> q_n`` (``n >= 0``) returning
rationals with :math:`|x - q_n| \le 2^{-n}`. A classifier of names reads finitely many
approximations and halts with a class. [BFFK25]: such a classifier exists exactly for
semi-decidable (hence open) classes, so a classifier taking two values on a connected domain is
not computable: at the decision boundary it must fail ("type 1 failure"), and detecting its
failures is as impossible as classifying ("failure detection is infeasible").

The proofs are constructive, and :func:`adversary` and :func:`defeat_failure_detector` run them:

* run the classifier on the constant name of the threshold ``t``; it halts having read the
  precisions ``n <= N``, and claims a side of ``t``;
* the name that returns ``t`` for ``n <= N`` and ``x' = t -+ 2^-N`` (the other side) for
  ``n > N`` is a valid name of ``x'`` (``|x' - t| = 2^-N <= 2^-n`` for ``n <= N``); on it the
  classifier reads the same values, so it gives the same answer, which is wrong for ``x'``.

Answers are ``"above"`` (``x > t``), ``"below"`` (``x < t``), or :data:`EXIT` (no class). A
classifier may also answer ``True``/``1`` (above) and ``False``/``0`` (below).

References
----------
C5 and C6, [BFFK25] arXiv 2408.06212, as reconstructed in the project's specification (from the
source's abstract and third-party summaries).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from math import isqrt

from ._rationals import nonnegative_int, rational
from .citations import cites
from .errors import DomainError

__all__ = ["ABOVE", "BELOW", "EXIT", "Name", "AdversaryResult", "DetectorDefeat",
           "exact_name", "dyadic_name", "sqrt_name", "side_of_answer", "adversary",
           "defeat_failure_detector"]

SOURCE = "[BFFK25]"
ABOVE, BELOW, EXIT = "above", "below", "EXIT"


class Name:
    """A name of a real number whose reads are recorded.

    ``Name(approximate)`` wraps ``approximate: n -> rational`` (``n >= 0``); calling the name
    returns ``approximate(n)`` as a :class:`Fraction` and records ``n``. Whether
    ``|x - approximate(n)| <= 2^-n`` holds is the caller's promise (``x`` is not known here).

    Attributes
    ----------
    reads : list of int
        The precisions read, in order.
    label : str
    """

    def __init__(self, approximate: Callable[[int], object], label: str = ""):
        if not callable(approximate):
            raise DomainError("approximate", approximate, "a callable n -> rational", "C5")
        self._approximate = approximate
        self.label = label
        self.reads: list = []

    def __call__(self, n: int) -> Fraction:
        n = nonnegative_int(n, "n", "C5")
        q = rational(self._approximate(n), f"{self.label or 'name'}({n})", "C5")
        self.reads.append(n)
        return q

    @property
    def precision(self) -> int | None:
        """The largest precision read (``None`` before any read)."""
        return max(self.reads) if self.reads else None

    def fresh(self) -> Name:
        """The same name with no reads recorded."""
        return Name(self._approximate, self.label)

    def __repr__(self) -> str:
        return f"Name({self.label or '?'}, precision read {self.precision})"


@cites("C5", SOURCE)
def exact_name(x) -> Name:
    r"""The constant name ``n -> x`` of a rational ``x`` (C5).

    Statement
    ---------
    :math:`q_n = x` satisfies :math:`|x - q_n| = 0 \le 2^{-n}`.

    References
    ----------
    C5, [BFFK25] arXiv 2408.06212, as reconstructed in the project's specification.

    Examples
    --------
    >>> exact_name("1/3")(10)
    Fraction(1, 3)
    """
    q = rational(x, "x", "C5")
    return Name(lambda n: q, str(q))


@cites("C5", SOURCE)
def dyadic_name(x) -> Name:
    r"""The name ``n -> round(x 2^n) / 2^n`` of a rational ``x`` (C5).

    Statement
    ---------
    :math:`q_n = \lfloor x 2^n + 1/2 \rfloor / 2^n` satisfies
    :math:`|x - q_n| \le 2^{-n-1} \le 2^{-n}`: what a fixed-point input of ``n`` bits gives.

    References
    ----------
    C5, [BFFK25] arXiv 2408.06212, as reconstructed in the project's specification.

    Examples
    --------
    >>> dyadic_name("1/3")(4)
    Fraction(5, 16)
    """
    q = rational(x, "x", "C5")
    return Name(lambda n: Fraction((q * 2 ** n + Fraction(1, 2)).__floor__(), 2 ** n),
                f"dyadic({q})")


@cites("C5", SOURCE)
def sqrt_name(a) -> Name:
    r"""A name of :math:`\sqrt{a}` for a rational ``a >= 0`` (C5): irrational inputs too.

    Statement
    ---------
    With :math:`s_n = \operatorname{isqrt}(\lfloor a 4^n \rfloor)`,
    :math:`s_n \le \sqrt{a}\, 2^n \le s_n + 1`, so :math:`q_n = s_n / 2^n` has error
    :math:`\le 2^{-n}`.

    References
    ----------
    C5, [BFFK25] arXiv 2408.06212, as reconstructed in the project's specification.

    Examples
    --------
    >>> sqrt_name(2)(10)
    Fraction(181, 128)
    """
    q = rational(a, "a", "C5")
    if q < 0:
        raise DomainError("a", q, "a >= 0 (square root of a real)", "C5")
    return Name(lambda n: Fraction(isqrt((q * 4 ** n).__floor__()), 2 ** n), f"sqrt({q})")


@cites("C5", SOURCE)
def side_of_answer(answer) -> str | None:
    r"""The side of ``t`` a classifier's answer claims: ``"above"``, ``"below"`` or ``None``
    for :data:`EXIT` (C5).

    Statement
    ---------
    ``"above"``, ``True`` and ``1`` claim :math:`x > t`; ``"below"``, ``False`` and ``0``
    claim :math:`x < t`; :data:`EXIT` claims nothing.

    References
    ----------
    C5, [BFFK25] arXiv 2408.06212, as reconstructed in the project's specification.

    Examples
    --------
    >>> side_of_answer(True), side_of_answer("below"), side_of_answer(EXIT)
    ('above', 'below', None)
    """
    if isinstance(answer, str):
        if answer in (ABOVE, BELOW):
            return answer
        if answer == EXIT:
            return None
    elif answer in (True, 1):
        return ABOVE
    elif answer in (False, 0):
        return BELOW
    raise DomainError("answer", answer, "'above' / 'below' (or True / False, 1 / 0), or 'EXIT'",
                      "C5")


def _flip(side: str) -> str:
    return BELOW if side == ABOVE else ABOVE


@dataclass(frozen=True)
class AdversaryResult:
    """What :func:`adversary` built.

    Attributes
    ----------
    threshold : Fraction
    answer_at_threshold : object
        The classifier's answer on the constant name of ``t``.
    precision : int
        ``N``, the largest precision it read there (0 if it read none).
    point : Fraction or None
        ``x' = t -+ 2^-N``, on the other side from the claimed one (``None`` after EXIT).
    name : Name or None
        The valid name of ``x'`` (equal to ``t`` up to precision ``N``).
    answer : object
        The classifier's answer on that name.
    won : bool
        Whether that answer claims the wrong side of ``t`` for ``x'``.
    reason : str
    """

    threshold: Fraction
    answer_at_threshold: object
    precision: int
    point: Fraction | None
    name: Name | None = field(compare=False)
    answer: object
    won: bool
    reason: str


@cites("C5", SOURCE)
def adversary(classifier: Callable[[Name], object], t, *,
              side: Callable[[object], str | None] = side_of_answer) -> AdversaryResult:
    r"""Build a valid name of a point that a halting classifier misclassifies (C5).

    Statement
    ---------
    If ``classifier`` halts on the constant name of ``t`` after reading precisions
    :math:`\le N` and claims the side :math:`\sigma`, then the name
    :math:`q_n = t\ (n \le N),\ q_n = x'\ (n > N)` of
    :math:`x' = t - \sigma 2^{-N}` is valid and the classifier, a function of the values it
    reads, answers :math:`\sigma` on it, while :math:`x'` lies on the other side.

    Parameters
    ----------
    classifier : callable ``Name -> answer``; must halt and depend on the values it reads only
    t : rational threshold
    side : callable ``answer -> "above" | "below" | None`` (default :func:`side_of_answer`)

    Returns
    -------
    AdversaryResult
        ``won`` is decided by re-running the classifier on the new name (not assumed). It is
        ``False`` only when the classifier answers :data:`EXIT` (claims no side) or is not a
        function of the values it reads.

    References
    ----------
    C5, [BFFK25] arXiv 2408.06212, as reconstructed in the project's specification.

    Examples
    --------
    >>> naive = lambda name: "above" if name(20) >= Fraction(1, 3) else "below"
    >>> r = adversary(naive, "1/3")
    >>> r.won, r.precision, r.point == Fraction(1, 3) - Fraction(1, 2**20)
    (True, 20, True)
    """
    tq = rational(t, "t", "C5")
    if not callable(classifier):
        raise DomainError("classifier", classifier, "a callable Name -> answer", "C5")
    probe = Name(lambda n: tq, f"t={tq}")
    first = classifier(probe)
    claimed = side(first)
    N = probe.precision or 0
    if claimed is None:
        return AdversaryResult(tq, first, N, None, None, None, False,
                               f"the classifier answered {first!r} at t: it claims no class, "
                               "so it cannot be made wrong (an honest exit)")
    point = tq - Fraction(1, 2 ** N) if claimed == ABOVE else tq + Fraction(1, 2 ** N)
    name = Name(lambda n: tq if n <= N else point, f"x'={point}")
    answer = classifier(name)
    truth = ABOVE if point > tq else BELOW
    now = side(answer)
    won = now is not None and now != truth
    if won:
        reason = (f"the name agrees with t up to precision {N}, the classifier answered "
                  f"{answer!r} again, but x' = t {'-' if truth == BELOW else '+'} 2^-{N} is "
                  f"{truth} t")
    else:
        reason = (f"on the new name the classifier answered {answer!r}: it is not a function "
                  "of the values it reads, or it exits")
    return AdversaryResult(tq, first, N, point, name.fresh(), answer, won, reason)


@dataclass(frozen=True)
class DetectorDefeat:
    """What :func:`defeat_failure_detector` found: a name on which the detector is wrong.

    Attributes
    ----------
    point : Fraction or None
    name : Name or None
    classifier_answer : object
    classifier_wrong : bool
    detector_flag : bool
        Whether the detector reported a failure.
    detector_wrong : bool
        ``detector_flag != classifier_wrong``: a missed failure or a false alarm.
    adversary : AdversaryResult
        The adversary's run against the corrected classifier.
    """

    point: Fraction | None
    name: Name | None = field(compare=False)
    classifier_answer: object
    classifier_wrong: bool
    detector_flag: bool
    detector_wrong: bool
    adversary: AdversaryResult


@cites("C6", SOURCE)
def defeat_failure_detector(classifier: Callable[[Name], object],
                            detector: Callable[[Name], object], t, *,
                            side: Callable[[object], str | None] = side_of_answer
                            ) -> DetectorDefeat:
    r"""Find a name on which a halting failure detector for a classifier is wrong (C6).

    Statement
    ---------
    If ``detector`` (halting) reported exactly the names on which ``classifier`` (halting)
    answers the wrong side of ``t``, then
    :math:`\tilde F = F \oplus D` (flip ``F``'s side where ``D`` fires) would be a halting
    classifier that is always right, which :func:`adversary` refutes. So the adversary's name
    against :math:`\tilde F` is one where ``D`` is wrong: :math:`\tilde F` errs there, hence
    either ``D`` fired and ``F`` was right (false alarm) or ``D`` stayed silent and ``F`` was
    wrong (missed failure).

    Parameters
    ----------
    classifier, side : as in :func:`adversary`
    detector : callable ``Name -> bool`` (``True``: "the classifier fails on this input")
    t : rational threshold

    Returns
    -------
    DetectorDefeat
        ``detector_wrong`` is recomputed from fresh runs of both on the name found.

    References
    ----------
    C6, [BFFK25] arXiv 2408.06212, as reconstructed in the project's specification.

    Examples
    --------
    >>> F = lambda name: "above" if name(8) >= Fraction(1, 3) else "below"
    >>> D = lambda name: abs(name(16) - Fraction(1, 3)) < Fraction(1, 2**9)  # "near t: fails"
    >>> defeat_failure_detector(F, D, "1/3").detector_wrong
    True
    """
    if not callable(detector):
        raise DomainError("detector", detector, "a callable Name -> bool", "C6")

    def corrected(name: Name):
        claimed = side(classifier(name))
        if claimed is None:
            return EXIT
        return _flip(claimed) if detector(name) else claimed

    res = adversary(corrected, t)
    if not res.won:
        return DetectorDefeat(None, None, res.answer_at_threshold, False, False, False, res)
    truth = ABOVE if res.point > res.threshold else BELOW
    answer = classifier(res.name.fresh())
    flag = bool(detector(res.name.fresh()))
    wrong = side(answer) != truth
    return DetectorDefeat(res.point, res.name, answer, wrong, flag, flag != wrong, res)
