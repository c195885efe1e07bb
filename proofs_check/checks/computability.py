r"""C1 to C8: computability of classification and training, and the quantized escape ([BFFK25]).

Statement
---------
* C1: quantized ReLU networks on rational data are evaluated exactly.
* C2: fitting (interpolation, signs, argmax) on a finite grid is decidable; the decider returns
  the lexicographically first witness or decides every candidate.
* C3: exact ERM over the grid.
* C4: hidden-unit permutations leave the network function unchanged (so pruning them, and the
  layer-wise search, do not change answers).
* C5: every halting classifier of names is wrong near its threshold (the boundary adversary).
* C6: every halting failure detector is wrong somewhere.
* C7: the exit-flag classifier is never wrong and exits only within ``2 * 2^-B`` of ``t``.
* C8: exact and relaxed quantizers and their error bounds.

Checks: independent routes of :mod:`proofs_check.computability_reference` (a brute force over
every candidate, evaluators in plain Fractions and in sympy, random halting classifier
programs); metamorphic checks (grid enlargement, sample order, unit permutations); the
finite-precision classifiers of :mod:`numerics.classifiers` against the adversary.

References
----------
C1-C8, [BFFK25] arXiv 2408.06212, as reconstructed in the project's specification (from the
source's abstract and third-party summaries).
"""

from __future__ import annotations

from fractions import Fraction
from itertools import permutations

from theory import exit_flag as XF
from theory import names as N
from theory import quantized as Q
from theory import quantizers as QZ

from .. import computability_reference as ref
from ..claim import Check, declare
from ..decide import Outcome, combine, exact_at_least, exact_equal

F = Fraction


def _network(case) -> Q.Network:
    return Q.Network.from_parameters(case.widths, case.params)


def _rank(grid, params) -> int:
    G = sorted(grid)
    rank = 0
    for v in params:
        rank = rank * len(G) + G.index(v)
    return rank


# -- C1 --------------------------------------------------------------------------------------------
def check_C1_exact(case) -> Outcome:
    """C1 (identity): :func:`theory.quantized.evaluate` equals the flat-vector Fraction evaluator
    and the sympy-matrix evaluator at every sample; :func:`~theory.quantized.fits` equals the
    label test applied to the independent outputs."""
    net = _network(case)
    outs = []
    for x in case.X:
        got = Q.evaluate(net, x)
        outs += [exact_equal("f(x) vs Fractions", got, ref.network_output(case.widths,
                                                                          case.params, x)),
                 exact_equal("f(x) vs sympy", got, ref.sympy_output(case.widths,
                                                                    case.params, x))]
    expected = all(ref.fitted(ref.network_output(case.widths, case.params, x), t, case.labels)
                   for x, t in zip(case.X, case.y))
    outs.append(exact_equal("fits", Q.fits(net, case.X, case.y, case.labels), expected))
    return combine(outs)


# -- C2 --------------------------------------------------------------------------------------------
def check_C2_exact(case) -> Outcome:
    """C2 (identity): the decider against the brute force over every candidate: the same answer,
    the same first witness and the same ``checked``; the witness fits by the independent
    evaluator (soundness); without permutation pruning and on a second run the result is the
    same (the pruning changes nothing; determinism)."""
    got = Q.decide_fit(case.widths, case.grid, case.X, case.y, case.labels)
    found, checked, params = ref.brute_force_fit(case.widths, case.grid, case.X, case.y,
                                                 case.labels)
    plain = Q.decide_fit(case.widths, case.grid, case.X, case.y, case.labels, symmetry=False)
    again = Q.decide_fit(case.widths, case.grid, case.X, case.y, case.labels)
    outs = [exact_equal("found", got.found, found), exact_equal("checked", got.checked, checked),
            exact_equal("space", got.space, case.space),
            exact_equal("unpruned search agrees", (got.found, got.checked, got.witness)
                        == (plain.found, plain.checked, plain.witness), True),
            exact_equal("deterministic", got == again, True)]
    if found and got.found:
        w = got.witness.parameters()
        outs += [exact_equal("first witness", w, params),
                 exact_equal("witness fits (independent evaluator)",
                             all(ref.fitted(ref.network_output(case.widths, w, x), t,
                                            case.labels) for x, t in zip(case.X, case.y)),
                             True)]
    return combine(outs)


def check_C2_planted(case) -> Outcome:
    """C2 (identity): data labelled by a network planted on the grid: the decider finds a
    witness, it fits (independent evaluator), and it comes no later than the planted network in
    lexicographic order (``checked <= rank + 1``)."""
    got = Q.decide_fit(case.widths, case.grid, case.X, case.y, case.labels)
    outs = [exact_equal("found", got.found, True)]
    if got.found:
        w = got.witness.parameters()
        outs += [exact_equal("witness fits", all(
                     ref.fitted(ref.network_output(case.widths, w, x), t, case.labels)
                     for x, t in zip(case.X, case.y)), True),
                 exact_equal("no later than the planted network",
                             got.checked <= _rank(case.grid, case.params) + 1, True),
                 exact_equal("checked is the witness's rank + 1", got.checked,
                             _rank(case.grid, w) + 1)]
    return combine(outs)


def check_C2_metamorphic(case) -> Outcome:
    """C2 (identity): enlarging the grid never turns yes into no (a witness on ``G`` is a
    candidate on ``G' >= G``), and reversing the order of the samples changes neither the
    answer nor the witness."""
    small = Q.decide_fit(case.widths, case.grid, case.X, case.y, case.labels)
    big = Q.decide_fit(case.widths, tuple(set(case.grid) | set(case.extra)), case.X, case.y,
                       case.labels)
    rev = Q.decide_fit(case.widths, case.grid, case.X[::-1], case.y[::-1], case.labels)
    return combine([exact_equal("yes stays yes on a larger grid",
                                (not small.found) or big.found, True),
                    exact_equal("sample order", (rev.found, rev.witness)
                                == (small.found, small.witness), True)])


# -- C3 --------------------------------------------------------------------------------------------
def check_C3_exact(case) -> Outcome:
    """C3 (identity): exact ERM against the brute force: the same least risk and the same first
    minimiser, whose risk by the independent evaluator is that least risk; the risk is zero
    exactly when the decider finds a witness."""
    got = Q.erm(case.widths, case.grid, case.X, case.y, case.labels)
    best, params = ref.brute_force_erm(case.widths, case.grid, case.X, case.y, case.labels)
    w = got.minimiser.parameters()
    found = Q.decide_fit(case.widths, case.grid, case.X, case.y, case.labels).found
    return combine([exact_equal("least risk", got.loss, best),
                    exact_equal("first minimiser", w, params),
                    exact_equal("risk of the minimiser",
                                ref.risk(case.widths, w, case.X, case.y, case.labels), best),
                    exact_equal("zero risk iff a witness", got.loss == 0, found)])


# -- C4 --------------------------------------------------------------------------------------------
def check_C4_metamorphic(case) -> Outcome:
    """C4 (identity): every permutation of the first hidden layer's units leaves the outputs at
    every sample unchanged (independent evaluator on the permuted parameters) and, when the
    layer's blocks are distinct, the canonical network."""
    net = _network(case)
    canon = Q.canonical_network(net)
    W, b = net.layers[0]
    distinct = len({(tuple(r), bi) for r, bi in zip(W, b)}) == len(b)
    outs = []
    for perm in permutations(range(case.widths[1])):
        p = Q.permute_hidden(net, 1, perm).parameters()
        for x in case.X:
            outs.append(exact_equal(f"f(x) after permutation {perm}",
                                    ref.network_output(case.widths, p, x),
                                    ref.network_output(case.widths, case.params, x)))
        if distinct:
            outs.append(exact_equal("canonical network", Q.canonical_network(
                Q.Network.from_parameters(case.widths, p)) == canon, True))
    return combine(outs)


# -- C5, C6 ----------------------------------------------------------------------------------------
def _valid_name(name, point, upto) -> bool:
    return all(abs(name(n) - point) <= F(1, 2 ** n) for n in range(upto + 1))


def _adversary_outcomes(res) -> list:
    outs = [exact_equal("the adversary wins", res.won, True)]
    if res.won:
        outs += [exact_equal("a valid name of x'", _valid_name(res.name.fresh(), res.point,
                                                                res.precision + 4), True),
                 exact_equal("x' on the other side, 2^-N from t",
                             abs(res.point - res.threshold), F(1, 2 ** res.precision))]
    return outs


def check_C5_exact(case) -> Outcome:
    """C5 (identity): against a random halting classifier program, the adversary's name is a
    valid name of ``x' = t -+ 2^-N``, and the classifier, re-run on it, claims the wrong side."""
    program, t = case.program, case.t
    res = N.adversary(lambda name: program(name, t), t)
    return combine(_adversary_outcomes(res))


def check_C5_numerics(case) -> Outcome:
    """C5 (identity): the adversary defeats the finite-precision classifiers of
    :mod:`numerics.classifiers` (float64, mpmath at fixed digits, interval arithmetic with a
    fixed number of refinements) at random thresholds."""
    from numerics.classifiers import classifier_from_spec

    res = N.adversary(classifier_from_spec(case.spec, case.t), case.t)
    return combine(_adversary_outcomes(res))


def check_C6_exact(case) -> Outcome:
    """C6 (identity): for a random classifier program and a random detector program, the name
    found is valid and the detector is wrong on it (a missed failure or a false alarm),
    recomputed from fresh runs."""
    t = case.t
    res = N.defeat_failure_detector(lambda name: case.program(name, t),
                                    lambda name: case.detector(name, t) == "above", t)
    return _detector_outcome(res, lambda name: case.program(name, t))


def check_C6_numerics(case) -> Outcome:
    """C6 (identity): the "perfect failure detector" of a finite-precision classifier
    (:func:`numerics.classifiers.failure_detector`) is wrong on the name found."""
    from numerics.classifiers import classifier_from_spec, failure_detector

    clf = classifier_from_spec(case.spec, case.t)
    res = N.defeat_failure_detector(clf, failure_detector(clf, case.t), case.t)
    return _detector_outcome(res, clf)


def _detector_outcome(res, classifier) -> Outcome:
    outs = [exact_equal("detector defeated", res.detector_wrong, True)]
    if res.detector_wrong:
        truth = N.ABOVE if res.point > res.adversary.threshold else N.BELOW
        wrong = N.side_of_answer(classifier(res.name.fresh())) != truth
        outs += [exact_equal("a valid name", _valid_name(res.name.fresh(), res.point,
                                                          res.adversary.precision + 4), True),
                 exact_equal("classifier's failure recomputed", res.classifier_wrong, wrong)]
    return combine(outs)


# -- C7 --------------------------------------------------------------------------------------------
def check_C7_exact(case) -> Outcome:
    """C7 (upper): the exit-flag classifier on a valid name (exact, dyadic, or straying
    ``2^-n`` toward or away from ``t``) is never wrong; an exit only when
    ``|x - t| <= 2 * 2^-B``; an answer whenever ``|x - t| > 2 * 2^-B``; and the one-inequality
    region classifier gives the same answer."""
    t, x, B = case.t, case.x, case.budget
    answer = XF.classify_with_exit(case.name(), t, B)
    truth = N.ABOVE if x > t else N.BELOW if x < t else None
    outs = [exact_equal("never wrong", answer in (N.EXIT, truth), True),
            # an exit at distance |x - t| (0 when it answered) is within 2 * 2^-B
            exact_at_least("EXIT only within 2 * 2^-B", F(2, 2 ** B),
                           abs(x - t) if answer == N.EXIT else 0)]
    regions = XF.classify_regions([case.name()], [[{(1,): 1, (0,): -t}], [{(0,): t, (1,): -1}]],
                                  B).answer
    expected = {N.ABOVE: 0, N.BELOW: 1, N.EXIT: N.EXIT}[answer]
    outs.append(exact_equal("region classifier agrees", regions == expected, True))
    return combine(outs)


def _poly_value(p: dict, x) -> Fraction:
    total = F(0)
    for alpha, c in p.items():
        term = F(c)
        for xi, e in zip(x, alpha):
            term *= F(xi) ** e
        total += term
    return total


_CLASSES = (
    ("disc", [["1 - x0**2 - x1**2"], ["x0**2 + x1**2 - 1"]]),
    ("quadrants", [["x0", "x1"], ["-x0", "x1"], ["-x0", "-x1"], ["x0", "-x1"]]),
    ("parabola", [["x1 - x0**2 + 1/3"], ["x0**2 - x1 - 1/3", "x0 - 1/2"]]),
)


def check_C7_regions(case) -> Outcome:
    """C7 (upper): the multi-class exit-flag classifier (disc, quadrants, a parabola cut by a
    line) at ``x = (x, t)`` from valid names: the class answered contains ``x`` (exact
    evaluation of its polynomials); every enclosure contains its polynomial's value; an exit
    only when each class has an inequality whose value is at most its enclosure's width."""
    point = (case.x, case.t)
    names = [ref.ThresholdCase(F(0), v, 0, case.kind).name() for v in point]
    outs = []
    for _, classes in _CLASSES:
        res = XF.classify_regions(names, classes, case.budget)
        polys = [[XF.polynomial(p, 2) for p in cls] for cls in classes]
        values = [[_poly_value(p, point) for p in cls] for cls in polys]
        for vals, encs in zip(values, res.enclosures):
            for v, (lo, hi) in zip(vals, encs):
                outs += [exact_at_least("enclosure lower end", v, lo),
                         exact_at_least("enclosure upper end", hi, v)]
        if res.answer == N.EXIT:
            for vals, encs in zip(values, res.enclosures):
                outs.append(exact_at_least("exit: some value within its enclosure's width",
                                           max(hi - lo - v for v, (lo, hi) in zip(vals, encs)),
                                           0))
        else:
            outs.append(exact_equal("never wrong", all(v > 0 for v in values[res.answer]),
                                    True))
    return combine(outs)


# -- C8 --------------------------------------------------------------------------------------------
def check_C8_exact(case) -> Outcome:
    """C8 (upper): exact round-half-up against the nearest of the two neighbouring grid points
    (ties up); the relaxed quantizer's error within ``2^-(b+1) + 2^-n`` on names straying
    toward the nearest midpoint; equal to exact rounding when ``x`` is farther than ``2^-n``
    from every midpoint; the bound attained; the adversary defeats an exact quantizer on
    names."""
    x, b, n, o = case.x, case.b, case.n, case.offset
    h = F(1, 2 ** b)
    k = ((x - o) / h).__floor__()
    lower, upper = o + k * h, o + (k + 1) * h
    nearest = upper if (upper - x) <= (x - lower) else lower
    q = QZ.quantize(x, b, offset=o)
    m = lower + h / 2  # the midpoint between the neighbours
    to_mid = 1 if m >= x else -1
    name = N.Name(lambda j: x + to_mid * F(1, 2 ** j), "toward the midpoint")
    relaxed = QZ.quantize_name(name, b, n=n, offset=o)
    bound = QZ.relaxed_error_bound(b, n)
    far = min(abs(x - m), abs(x - (m - h)), abs(x - (m + h))) > F(1, 2 ** n)
    tight = QZ.quantize_name(N.Name(lambda j: m, "midpoint"), b, n=n, offset=o)
    attack = QZ.quantizer_adversary(lambda nm: QZ.quantize(nm(n + 3), b), b)
    return combine([
        exact_equal("exact rounding", q, nearest),
        exact_at_least("relaxed error <= 2^-(b+1) + 2^-n", bound, abs(relaxed - x)),
        exact_equal("relaxed = exact away from midpoints", (not far) or relaxed == q, True),
        exact_equal("bound attained at x = m - 2^-n", abs(tight - (m - F(1, 2 ** n))), bound),
        exact_equal("default bound is 3 * 2^-(b+2)", QZ.relaxed_error_bound(b), 3 * h / 4),
        exact_equal("adversary beats an exact quantizer",
                    attack.won and attack.answer != QZ.quantize(attack.point, b), True),
    ])


# -- the claims ------------------------------------------------------------------------------------
_SPECS = ("float64", "mpmath:15", "mpmath:40", "interval:1", "interval:6")


def _fit():
    return ref.fit_cases()


def _planted():
    return ref.planted_cases()


def _enlarged():
    from hypothesis import strategies as st

    return st.builds(lambda c, extra: ref.FitCase(c.widths, c.grid, c.X, c.y, c.labels,
                                                  None, tuple(sorted(extra))),
                     ref.fit_cases(max_space=600),
                     st.sets(st.sampled_from(ref.SMALL), min_size=1, max_size=2))


def _of(kind, text: str):
    """The domain of a check whose instances are ``kind`` (not diagonal-network instances):
    one condition, so that checking such a claim on an ``(x, y, alpha)`` instance says why it
    does not apply."""
    from ..domains import Condition, Domain

    return Domain((), (Condition(text, lambda inst: isinstance(inst, kind)),))


_FITS = "a quantized-network fit instance (architecture, weight grid, rational data)"
_NAMES = "a threshold-classification instance (a name of a real, a threshold, a classifier)"
_QUANT = "a quantization instance (a rational, a grid offset and resolution)"

CLAIMS = [
    declare("C1", "A ReLU network with weights on a finite grid of rationals, evaluated on "
            "rational data, has rational outputs computed exactly; fitting (interpolation, "
            "signs, argmax) is an exact predicate.", "identity",
            ("proofs_check.computability_reference.network_output", "sympy matrices"),
            "planted networks of widths up to (2, 3, 1) and (2, 2, 2, 1), rational samples",
            [Check("exact", check_C1_exact, _planted, "exact", admits=_of(ref.FitCase, _FITS))]),
    declare("C2", "Whether some network of a given architecture with weights on a finite "
            "rational grid fits finite rational data (interpolation, signs or argmax) is "
            "decidable: the search returns the lexicographically first witness, or None after "
            "deciding all |G|^P candidates.", "identity",
            ("proofs_check.computability_reference.brute_force_fit",),
            "architectures with d_0 <= 2, up to two hidden layers of width <= 2, grids from "
            "{-2, -1, -1/2, 0, 1/2, 1, 2}, n <= 4 samples (space <= 2000); planted networks",
            [Check("exact", check_C2_exact, _fit, "exact", admits=_of(ref.FitCase, _FITS)),
             Check("planted", check_C2_planted, _planted, "exact",
                   admits=_of(ref.FitCase, _FITS)),
             Check("metamorphic", check_C2_metamorphic, _enlarged, "metamorphic", 0.5,
                   admits=_of(ref.FitCase, _FITS))]),
    declare("C3", "Exact empirical risk minimisation over a finite grid: the least mean "
            "squared error (or fraction of misfitted samples) is rational and attained, and "
            "is returned exactly with its lexicographically first minimiser.", "identity",
            ("proofs_check.computability_reference.brute_force_erm",),
            "as C2's brute-force domain", [Check("exact", check_C3_exact, _fit, "exact",
                                           admits=_of(ref.FitCase, _FITS))]),
    declare("C4", "Permuting the units of a hidden layer (rows of W_l and b_l, columns of "
            "W_{l+1}) leaves the network function unchanged, so restricting the search to "
            "sorted hidden layers does not change its answer.", "identity",
            ("proofs_check.computability_reference.network_output",),
            "planted networks with hidden layers; every permutation of the first hidden layer",
            [Check("metamorphic", check_C4_metamorphic,
                   lambda: _planted().filter(lambda c: len(c.widths) >= 3), "metamorphic",
                   admits=_of(ref.FitCase, _FITS))]),
    declare("C5", "No algorithm that reads finitely many rational approximations of x and "
            "halts classifies every x against a threshold t: from its run on a name of t the "
            "adversary builds a valid name of t -+ 2^-N (N the largest precision read) that it "
            "misclassifies.", "identity",
            ("numerics.classifiers (float64, mpmath, interval)",),
            "random halting classifier programs reading up to three precisions <= 40; the "
            "built-in finite-precision classifiers at rational thresholds",
            [Check("exact", check_C5_exact, lambda: ref.threshold_cases(with_programs=True),
                   "exact", admits=_of(ref.ThresholdCase, _NAMES)),
             Check("numerics", check_C5_numerics, lambda: ref.threshold_cases(specs=_SPECS),
                   "numerics", 0.5, admits=_of(ref.ThresholdCase, _NAMES))]),
    declare("C6", "Failure detection is infeasible: for any halting classifier and any "
            "halting detector of its failures, the adversary builds a valid name on which the "
            "detector is wrong (a missed failure or a false alarm).", "identity",
            ("numerics.classifiers.failure_detector",),
            "random classifier and detector programs; the built-in classifiers with their "
            "high-precision failure detectors",
            [Check("exact", check_C6_exact, lambda: ref.threshold_cases(
                with_programs=True, with_detector=True), "exact",
                   admits=_of(ref.ThresholdCase, _NAMES)),
             Check("numerics", check_C6_numerics, lambda: ref.threshold_cases(specs=_SPECS),
                   "numerics", 0.5, admits=_of(ref.ThresholdCase, _NAMES))]),
    declare("C7", "The budgeted classifier with an exit flag is never wrong when it answers, "
            "exits only within 2 * 2^-B of the threshold and answers beyond it; for classes "
            "given by strict rational polynomial inequalities it answers only proved classes "
            "and exits only where each class's enclosure width reaches its margin.", "upper",
            ("theory.exit_flag (exact rational enclosures)",),
            "thresholds and points at, within and exactly at 2 * 2^-B of t, budgets 0..60, "
            "names exact, dyadic or straying 2^-n toward or away from t",
            [Check("exact", check_C7_exact, lambda: ref.threshold_cases(), "exact",
                   admits=_of(ref.ThresholdCase, _NAMES)),
             Check("regions", check_C7_regions, lambda: ref.threshold_cases(), "exact", 0.5,
                   admits=_of(ref.ThresholdCase, _NAMES))]),
    declare("C8", "Round-half-up onto o + 2^-b Z is exact on rationals; the relaxed quantizer "
            "reading precision n errs by at most 2^-(b+1) + 2^-n (3 * 2^-(b+2) at n = b + 2, "
            "attained) and equals exact rounding farther than 2^-n from every midpoint; no "
            "halting exact quantizer on names exists.", "upper",
            ("nearest-neighbour rounding by comparison",),
            "rationals at, near and away from midpoints; b <= 12, n <= 16, three offsets",
            [Check("exact", check_C8_exact, lambda: ref.quant_cases(), "exact",
                   admits=_of(ref.QuantCase, _QUANT))],
            notes="The specification's bound 3 * 2^-(b+2) holds for the reading precision "
                  "n = b + 2 (it does not say which); the general bound is 2^-(b+1) + 2^-n."),
]
