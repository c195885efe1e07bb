"""Quantized ReLU networks (theory.quantized, C1-C4) against independent routes.

Expected values come from (a) hand proofs (a single ReLU unit is monotone in one affine form,
nonnegative weights make f monotone; both exclude XOR for every grid), (b) the brute force of
:mod:`proofs_check.computability_reference`, which enumerates every candidate with its own
evaluator, and (c) hand-computed networks. The pruned search (layer-wise, permutation pruning)
must give exactly the brute force's answer, first witness and ``checked``.
"""

from __future__ import annotations

import itertools
from fractions import Fraction as F

import pytest
from hypothesis import given, settings

from proofs_check import computability_reference as ref
from theory import quantized as Q
from theory.errors import DomainError

XOR_X = [(0, 0), (0, 1), (1, 0), (1, 1)]
XOR_Y = [0, 1, 1, 0]
XOR_S = [-1, 1, 1, -1]
ABS = Q.Network((((((1, -1), (-1, 1)), (0, 0))), (((1, 1),), (0,))))  # |x1 - x2|


# -- C1: evaluation ----------------------------------------------------------------------------
def test_hand_network_computes_xor_exactly():
    assert [Q.evaluate(ABS, x) for x in XOR_X] == [(0,), (1,), (1,), (0,)]
    assert Q.fits(ABS, XOR_X, XOR_Y) and not Q.fits(ABS, XOR_X, XOR_S, "sign")
    assert Q.empirical_risk(ABS, XOR_X, XOR_S, "sign") == F(1, 2)  # f = 0 is no sign
    assert Q.empirical_risk(ABS, XOR_X, [0, 0, 0, 0]) == F(1, 2)


def test_evaluation_is_exact_on_rationals():
    net = Q.Network((((("1/3", "-2/7"),), ("1/5",)), ((("3/2",),), ("-1/9",))))
    x = ("7/11", "1/13")
    pre = F(1, 3) * F(7, 11) - F(2, 7) * F(1, 13) + F(1, 5)
    assert Q.evaluate(net, x) == (F(3, 2) * max(pre, 0) - F(1, 9),)
    assert Q.evaluate(net, x) == ref.sympy_output((2, 1, 1), net.parameters(), x)


def test_parameters_round_trip_and_json():
    p = ABS.parameters()
    assert p == (1, -1, 0, -1, 1, 0, 1, 1, 0)
    assert Q.Network.from_parameters((2, 2, 1), p) == ABS
    assert Q.Network.from_parameters((2, 2, 1), p).to_json() == {
        "layers": [{"W": [["1", "-1"], ["-1", "1"]], "b": ["0", "0"]},
                   {"W": [["1", "1"]], "b": ["0"]}]}


# -- C2: the XOR questions -----------------------------------------------------------------------
@pytest.mark.parametrize("grid", [(0, 1), (-1, 1), (-1, 0, 1), (-2, -1, 0, 1, 2)])
@pytest.mark.parametrize("arch", [(2, 1), (2, 1, 1), (2, 1, 1, 1)])
@pytest.mark.parametrize("labels,y", [("exact", XOR_Y), ("sign", XOR_S)])
def test_one_unit_wide_networks_never_fit_xor(arch, grid, labels, y):
    """Proof: with hidden widths 1 (or none), f = phi(l(x)) with l affine and phi monotone, and
    l(00) + l(11) = l(01) + l(10) forbids separating {00, 11} from {01, 10}. So None, with
    every candidate decided."""
    r = Q.decide_fit(arch, grid, XOR_X, y, labels)
    assert not r.found and r.witness is None
    assert r.checked == r.space == len(grid) ** ref.parameter_count(arch)


@pytest.mark.parametrize("arch,grid", [((2, 2, 1), (0, 1, 2)), ((2, 3, 1), (0, 1, 2)),
                                       ((2, 2, 2, 1), (0, 1))])
def test_nonnegative_weights_never_fit_xor(arch, grid):
    """Proof: nonnegative weights make f nondecreasing in each input, but f(11) < f(01)."""
    for labels, y in (("exact", XOR_Y), ("sign", XOR_S)):
        r = Q.decide_fit(arch, grid, XOR_X, y, labels)
        assert not r.found and r.checked == r.space


@pytest.mark.parametrize("arch,grid,labels,found,checked", [
    ((2, 2, 1), (-1, 0, 1), "exact", True, 2109),
    ((2, 2, 1), (-1, 0, 1), "sign", False, 19683),
    ((2, 2, 1), (-1, 1), "exact", True, 114),
    ((2, 2, 1), (-1, 1), "sign", False, 512),
    ((2, 3, 1), (-1, 1), "exact", True, 226),
    ((2, 2, 2, 1), (-1, 1), "sign", True, 7247),
    ((2, 2, 2, 1), (-1, 1), "exact", False, 32768),
])
def test_xor_answers_equal_the_brute_force(arch, grid, labels, found, checked):
    """The pinned numbers are the brute force's (recomputed here, not trusted)."""
    y = XOR_Y if labels == "exact" else XOR_S
    b_found, b_checked, b_params = ref.brute_force_fit(arch, grid, XOR_X, y, labels)
    assert (b_found, b_checked) == (found, checked)
    for symmetry in (True, False):
        r = Q.decide_fit(arch, grid, XOR_X, y, labels, symmetry=symmetry)
        assert (r.found, r.checked) == (found, checked)
        assert (r.witness.parameters() if r.found else None) == b_params


def test_sign_xor_needs_margin_two_on_integer_grids():
    """With integer weights and data every output is an integer, so sign-XOR needs outputs
    <= -1 and >= 1: |x1 - x2| - 1/2 would do, but -1/2 is off the grid {-1, 0, 1}; on
    {-1, -1/2, 0, 1/2, 1} the search finds a fit."""
    assert not Q.decide_fit((2, 2, 1), (-1, 0, 1), XOR_X, XOR_S, "sign").found
    r = Q.decide_fit((2, 2, 1), ("-1", "-1/2", 0, "1/2", 1), XOR_X, XOR_S, "sign")
    assert r.found and Q.fits(r.witness, XOR_X, XOR_S, "sign")


def test_witness_is_the_lexicographically_first_by_rank():
    r = Q.decide_fit((2, 2, 1), (-1, 0, 1), XOR_X, XOR_Y)
    assert r.checked == Q.lex_rank(r.witness, (-1, 0, 1)) + 1
    # every candidate before it fails (independent evaluator), spot-checked on the last 50
    G = (-1, 0, 1)
    for rank in range(r.checked - 51, r.checked - 1):
        params = [G[(rank // 3 ** k) % 3] for k in range(8, -1, -1)]
        assert not all(ref.fitted(ref.network_output((2, 2, 1), params, x), t, "exact")
                       for x, t in zip(XOR_X, XOR_Y))


@settings(max_examples=30)
@given(ref.fit_cases(max_space=1500))
def test_search_equals_brute_force_on_random_small_problems(case):
    found, checked, params = ref.brute_force_fit(case.widths, case.grid, case.X, case.y,
                                                 case.labels)
    for symmetry in (True, False):
        r = Q.decide_fit(case.widths, case.grid, case.X, case.y, case.labels,
                         symmetry=symmetry)
        assert (r.found, r.checked, r.space) == (found, checked, case.space)
        assert (r.witness.parameters() if r.found else None) == params


@settings(max_examples=15)
@given(ref.planted_cases())
def test_planted_networks_are_found_no_later_than_planted(case):
    r = Q.decide_fit(case.widths, case.grid, case.X, case.y, case.labels)
    planted = Q.Network.from_parameters(case.widths, case.params)
    assert r.found and Q.fits(r.witness, case.X, case.y, case.labels)
    assert r.checked <= Q.lex_rank(planted, case.grid) + 1


def test_the_unpruned_search_does_more_work_for_the_same_answer():
    a = Q.decide_fit((2, 3, 1), (-1, 0, 1), XOR_X, XOR_S, "sign")
    b = Q.decide_fit((2, 3, 1), (-1, 0, 1), XOR_X, XOR_S, "sign", symmetry=False)
    assert (a.found, a.checked) == (b.found, b.checked) == (False, 3 ** 13)
    assert a.evaluated < b.evaluated < a.space


def test_progress_is_reported_on_the_first_layer():
    seen = []
    Q.decide_fit((2, 2, 1), (-1, 0, 1), XOR_X, XOR_S, "sign",
                 progress=lambda stage, done, total: seen.append((stage, done, total)))
    assert seen and seen[-1][1] == seen[-1][2] and "layer 1" in seen[0][0]
    assert all(d <= t for _, d, t in seen)


def test_budget_error_instead_of_a_hang():
    X = list(itertools.product([0, 1], repeat=3))
    y = [sum(x) % 2 for x in X]
    with pytest.raises(Q.SearchBudgetExceeded) as exc:
        Q.decide_fit((3, 4, 1), range(-3, 4), X, y, budget=20_000)
    e = exc.value
    assert isinstance(e, DomainError) and e.argument == "budget" and e.value == 20_000
    assert e.space == 7 ** 21 and e.evaluated > 0 and "Raise the budget" in str(e)
    with pytest.raises(Q.SearchBudgetExceeded, match="unit blocks"):  # fails before searching
        Q.decide_fit((3, 4, 1), range(-3, 4), X, y, budget=100)
    with pytest.raises(Q.SearchBudgetExceeded, match="configurations to visit"):  # ERM: up front
        Q.erm((2, 4, 1), range(-3, 4), XOR_X, XOR_Y, budget=1000)


# -- C3: ERM ---------------------------------------------------------------------------------------
@settings(max_examples=30)
@given(ref.fit_cases(max_space=800))
def test_erm_equals_the_brute_force(case):
    best, params = ref.brute_force_erm(case.widths, case.grid, case.X, case.y, case.labels)
    r = Q.erm(case.widths, case.grid, case.X, case.y, case.labels)
    assert r.loss == best and r.minimiser.parameters() == params
    assert Q.empirical_risk(r.minimiser, case.X, case.y, case.labels) == best


def test_erm_on_xor_by_hand():
    # XOR is orthogonal to the affine functions: the best affine fit is the constant 1/2, loss
    # 1/4 (on {0, 1/2}: w = 0, b = 1/2); on the grid {1/2} alone f = (x1 + x2 + 1)/2, errors
    # (1/2, 0, 0, 3/2): loss 5/8; one ReLU unit fits three of four points: relu(x1 - x2)
    assert Q.erm((2, 1), (0, F(1, 2)), XOR_X, XOR_Y).loss == F(1, 4)
    assert Q.erm((2, 1), (F(1, 2),), XOR_X, XOR_Y).loss == F(5, 8)
    assert Q.erm((2, 1, 1), (-1, 0, 1), XOR_X, XOR_Y).loss == F(1, 4)
    assert Q.erm((2, 2, 1), (-1, 0, 1), XOR_X, XOR_Y).loss == 0
    # signs: integer outputs need |f| >= 1, and one unit with weights in {-1, 0, 1} gets at
    # most two signs right (relu(x1 + x2) - 1 is 0 at 01 and 10); the brute force agrees
    assert Q.erm((2, 1, 1), (-1, 0, 1), XOR_X, XOR_S, "sign").loss == F(1, 2)
    assert ref.brute_force_erm((2, 1, 1), (-1, 0, 1), XOR_X, XOR_S, "sign")[0] == F(1, 2)


# -- C4: permutations ------------------------------------------------------------------------------
def test_permuting_hidden_units_keeps_the_function_and_the_canonical_form():
    net = Q.Network.from_parameters((2, 3, 2, 1), [F(k % 5 - 2, 2) for k in range(20)])
    canon = Q.canonical_network(net)
    for x in [(0, 0), (1, "1/2"), ("-3", 2)]:
        assert Q.evaluate(canon, x) == Q.evaluate(net, x)
    for perm in itertools.permutations(range(3)):
        p = Q.permute_hidden(net, 1, perm)
        for x in [(1, 2), ("-1/3", 5)]:
            assert Q.evaluate(p, x) == Q.evaluate(net, x)
        assert Q.canonical_network(p) == canon
    W, _ = canon.layers[0]
    assert list(W) == sorted(W)


# -- bad input -------------------------------------------------------------------------------------
@pytest.mark.parametrize("call,argument", [
    (lambda: Q.decide_fit((2,), (0, 1), XOR_X, XOR_Y), "widths"),
    (lambda: Q.decide_fit((2, 0, 1), (0, 1), XOR_X, XOR_Y), "widths[1]"),
    (lambda: Q.decide_fit((2, 1), (), XOR_X, XOR_Y), "grid"),
    (lambda: Q.decide_fit((2, 1), (0.5,), XOR_X, XOR_Y), "grid[0]"),
    (lambda: Q.decide_fit((2, 1), (0, 1), [(0, 0, 1)], [0]), "len(X[0])"),
    (lambda: Q.decide_fit((2, 1), (0, 1), [], []), "X"),
    (lambda: Q.decide_fit((2, 1), (0, 1), XOR_X, XOR_Y[:3]), "len(y)"),
    (lambda: Q.decide_fit((2, 1), (0, 1), XOR_X, XOR_Y, "signs"), "labels"),
    (lambda: Q.decide_fit((2, 1), (0, 1), XOR_X, XOR_Y, "sign"), "y[0]"),
    (lambda: Q.decide_fit((2, 1), (0, 1), XOR_X, XOR_Y, "argmax"), "widths[-1]"),
    (lambda: Q.decide_fit((2, 2), (0, 1), XOR_X, [0, 1, 2, 0], "argmax"), "y[2]"),
    (lambda: Q.decide_fit((2, 2), (0, 1), XOR_X, XOR_Y, "exact"), "widths[-1]"),
    (lambda: Q.decide_fit((2, 1), (0, 1), XOR_X, XOR_Y, budget=0), "budget"),
    (lambda: Q.decide_fit((2, 1), (0, 1), XOR_X, XOR_Y, progress=3), "progress"),
    (lambda: Q.permute_hidden(ABS, 2, (0,)), "layer"),
    (lambda: Q.permute_hidden(ABS, 1, (0, 0)), "perm"),
    (lambda: Q.lex_rank(ABS, (0, 1)), "network.parameters()[1]"),
    (lambda: Q.evaluate("net", (0, 0)), "network"),
])
def test_bad_input_names_the_argument(call, argument):
    with pytest.raises(DomainError) as exc:
        call()
    assert exc.value.argument == argument, str(exc.value)
