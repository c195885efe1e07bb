r"""The exhaustive search behind :func:`theory.quantized.decide_fit` and ``erm``.

Everything is exact integer arithmetic. With ``D_g`` the common denominator of the grid and
``D_x`` that of the data, a grid weight ``g`` is the integer ``g D_g``, the data are the integers
``X D_x``, and the activations of layer ``l`` are integers ``A'_l`` with ``A_l = A'_l / s_l``,
``s_l = D_x D_g^l`` (ReLU commutes with a positive scale):

.. math:: z'_l = A'_{l-1} w' + s_{l-1} b', \qquad A'_l = \max(0, z'_l).

The search runs layer by layer (see :mod:`theory.quantized` for why it finds exactly what the
exhaustive enumeration finds):

* at a hidden layer, every *block* ``(w, b)`` of one unit (``|G|^(d_{l-1} + 1)`` of them, in
  lexicographic order) gives one activation column; blocks with the same column are
  interchangeable, so only the first block of each distinct column is kept;
* the layer's configurations are tuples of distinct-column indices: nondecreasing tuples
  (``combinations_with_replacement``) with the permutation pruning, all tuples without it, in
  lexicographic order; the rest of the network depends only on the activations, so its answer
  is memoised by their content (sorted, with the pruning: it is invariant under permuting the
  layer's units);
* the output layer is a depth-first branch and bound over its parameters in lexicographic
  order, pruning a subtree only when an interval bound proves that nothing in it can be
  accepted.

Work is counted in units (a block's column, a configuration, a node of the output search); a
search that would pass its budget raises :class:`SearchBudgetExceeded` instead of running on.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from fractions import Fraction
from itertools import combinations_with_replacement, product
from math import comb, lcm

from .errors import DomainError

__all__ = ["Engine", "SearchBudgetExceeded"]

_STOP = object()


class SearchBudgetExceeded(DomainError):
    """A search needs more work than its ``budget`` allows (argument ``budget``).

    Attributes
    ----------
    evaluated : int
        Units of work done when the search stopped.
    space : int
        Candidates in the full grid space ``|G|^P``.
    """

    def __init__(self, budget: int, evaluated: int, space: int, what: str, claim: str):
        self.evaluated, self.space = evaluated, space
        super().__init__(
            "budget", budget, f"{what} after {evaluated} units of work (block columns, layer "
            f"configurations, output-layer nodes); the grid space holds {space} candidates. "
            "Raise the budget, or use a smaller grid or architecture", claim)


class Engine:
    """One search problem: architecture, integer grid, integer data, task and budget.

    ``task`` is ``("exact", targets)`` (targets: Fractions ``y_i``), ``("sign", signs)``
    (``+1`` / ``-1``) or ``("argmax", classes)``. Losses are scaled integers: the sum of
    squared scaled errors (exact) or the number of misfitted samples (sign, argmax);
    :meth:`true_loss` turns one into the mean loss.
    """

    def __init__(self, widths, grid, X, task, *, symmetry, budget, progress, space, claim):
        self.widths, self.L = tuple(widths), len(widths) - 1
        self.K = widths[-1]
        self.symmetry, self.budget, self.progress = symmetry, budget, progress
        self.space, self.claim = space, claim
        self.Dg = lcm(*(g.denominator for g in grid))
        self.G = tuple(int(g * self.Dg) for g in grid)
        Dx = lcm(*(v.denominator for row in X for v in row))
        self.n = len(X)
        self.A0 = tuple(tuple(int(v * Dx) for v in col) for col in zip(*X))
        self.scale = [Dx * self.Dg ** l for l in range(self.L + 1)]
        self.mode, labels = task
        if self.mode == "exact":
            t = [Fraction(v) * self.scale[-1] for v in labels]
            self.mult = lcm(*(v.denominator for v in t))
            self.T = tuple(int(v * self.mult) for v in t)
        else:
            self.labels = tuple(labels)
        self.Gset = frozenset(self.G)
        self.work = 0
        self.memo: dict = {}
        self.target_mode = "decide"

    # -- bookkeeping -------------------------------------------------------------------------
    def tick(self, units: int = 1) -> None:
        self.work += units
        if self.work > self.budget:
            raise SearchBudgetExceeded(self.budget, self.work, self.space,
                                       "the search is not finished", self.claim)

    def true_loss(self, scaled: int) -> Fraction:
        """The mean loss of a scaled integer loss."""
        if self.mode == "exact":
            return Fraction(scaled, self.n * (self.mult * self.scale[-1]) ** 2)
        return Fraction(scaled, self.n)

    def grid_value(self, g: int) -> Fraction:
        return Fraction(g, self.Dg)

    # -- the search --------------------------------------------------------------------------
    def best(self, l: int, cols: tuple):
        """Least scaled loss of layers ``l..L`` given the input columns (``None``: nothing
        acceptable; in decision mode only ``0`` or ``None``)."""
        key = (l, tuple(sorted(cols)) if self.symmetry else cols)
        if key in self.memo:
            return self.memo[key]
        if l == self.L:
            value, _ = _Output(self, cols).search(0 if self.decide else None, self.decide)
        else:
            value = None
            for _, nxt in self._configurations(l, cols):
                v = self.best(l + 1, nxt)
                if v is not None and (value is None or v < value):
                    value = v
                    if self.decide or v == 0:
                        break
        self.memo[key] = value
        return value

    def witness(self, l: int, cols: tuple, target: int):
        """The lexicographically first parameters of layers ``l..L`` (integer blocks, one list
        per layer) whose scaled loss is at most ``target``, or ``None``."""
        if l == self.L:
            _, params = _Output(self, cols).search(target, True)
            return None if params is None else [params]
        for blocks, nxt in self._configurations(l, cols):
            v = self.best(l + 1, nxt)
            if v is not None and v <= target:
                return [blocks] + self.witness(l + 1, nxt, target)
        return None

    def _configurations(self, l: int, cols: tuple):
        """``(blocks, next columns)`` for the layer-``l`` configurations, in lexicographic
        order of their blocks (only the first block of each distinct column is used)."""
        d_in, d = len(cols), self.widths[l]
        count = len(self.G) ** (d_in + 1)
        if self.work + count > self.budget:
            raise SearchBudgetExceeded(self.budget, self.work, self.space,
                                       f"layer {l} alone has {count} unit blocks", self.claim)
        s = self.scale[l - 1]
        rows = tuple(zip(*cols))
        first: dict = {}
        for block in product(self.G, repeat=d_in + 1):
            b = s * block[-1]
            col = tuple(max(0, sum(a * w for a, w in zip(row, block)) + b) for row in rows)
            first.setdefault(col, block)
        self.tick(count)
        distinct = list(first.items())  # in order of first block (dicts keep insertion order)
        k = len(distinct)
        if self.symmetry:
            tuples, total = combinations_with_replacement(range(k), d), comb(k + d - 1, d)
        else:
            tuples, total = product(range(k), repeat=d), k ** d
        if self.target_mode == "erm" and self.work + total > self.budget:
            raise SearchBudgetExceeded(self.budget, self.work, self.space, f"layer {l} has "
                                       f"{total} configurations to visit", self.claim)
        report = self.progress if l == 1 else None
        every = max(1, total // 200)
        for done, tup in enumerate(tuples):
            self.tick()
            if report is not None and done % every == 0:
                report(f"layer {l} configurations", done, total)
            yield [distinct[i][1] for i in tup], tuple(distinct[i][0] for i in tup)
        if report is not None:
            report(f"layer {l} configurations", total, total)

    @property
    def decide(self) -> bool:
        return self.target_mode == "decide"

    def run_decide(self):
        self.target_mode = "decide"
        if self.mode == "exact" and self.mult != 1:
            return None  # an integer output can never equal a non-integer target
        return self.witness(1, self.A0, 0)

    def run_erm(self):
        self.target_mode = "erm"
        value = self.best(1, self.A0)
        return value, self.witness(1, self.A0, value)


class _Output:
    """Branch and bound over the output layer's parameters (unit by unit, ``(w, b)`` each)."""

    def __init__(self, engine: Engine, cols: tuple):
        self.e = engine
        n = engine.n
        s = engine.scale[engine.L - 1]
        self.coef = tuple(cols) + ((s,) * n,)
        gmin, gmax = engine.G[0], engine.G[-1]
        m1 = len(self.coef)
        self.RLO = [[0] * n for _ in range(m1 + 1)]
        self.RHI = [[0] * n for _ in range(m1 + 1)]
        for j in range(m1 - 1, -1, -1):
            self.RLO[j] = [r + (c * gmin if c >= 0 else c * gmax)
                           for r, c in zip(self.RLO[j + 1], self.coef[j])]
            self.RHI[j] = [r + (c * gmax if c >= 0 else c * gmin)
                           for r, c in zip(self.RHI[j + 1], self.coef[j])]
        self.m1 = m1

    # -- bounds and losses (scaled integers) ---------------------------------------------------
    def lower_bound(self, Z, k, j) -> int:
        """A lower bound of the loss of every completion (units before ``k`` fixed, unit ``k``
        fixed up to parameter ``j``, later units free)."""
        e, lo, hi = self.e, self.RLO[j], self.RHI[j]
        if e.mode == "exact":
            total = 0
            for z, a, b, t in zip(Z[0], lo, hi, e.T):
                a, b = e.mult * (z + a) - t, e.mult * (z + b) - t
                total += a * a if a > 0 else b * b if b < 0 else 0
            return total
        if e.mode == "sign":
            return sum(1 for z, a, b, s in zip(Z[0], lo, hi, e.labels)
                       if (z + b <= 0 if s > 0 else z + a >= 0))
        bad = 0
        for i, c in enumerate(e.labels):
            lows, highs = self._unit_intervals(Z, k, i)
            highs[k], lows[k] = Z[k][i] + hi[i], Z[k][i] + lo[i]
            if any(highs[c] <= lows[u] for u in range(e.K) if u != c):
                bad += 1
        return bad

    def _unit_intervals(self, Z, k, i) -> tuple:
        """Sample ``i``'s output interval per unit: fixed before ``k``, free after it (unit
        ``k`` itself is the caller's)."""
        K, lo0, hi0 = self.e.K, self.RLO[0][i], self.RHI[0][i]
        return ([Z[u][i] if u < k else lo0 for u in range(K)],
                [Z[u][i] if u < k else hi0 for u in range(K)])

    def loss(self, Z) -> int:
        e = self.e
        if e.mode == "exact":
            return sum((e.mult * z - t) ** 2 for z, t in zip(Z[0], e.T))
        if e.mode == "sign":
            return sum(1 for z, s in zip(Z[0], e.labels) if s * z <= 0)
        return sum(1 for i, c in enumerate(e.labels)
                   if any(Z[c][i] <= Z[u][i] for u in range(e.K) if u != c))

    def feasible_range(self, Z, k, j):
        """Decision mode: the grid values of parameter ``j`` of unit ``k`` that leave every
        sample fittable by some completion, as a slice ``(start, stop)`` of the grid, or
        ``None`` (exactly the children whose :meth:`lower_bound` is 0: each sample's
        condition is a half-line or an interval in that parameter, the others fixed)."""
        e, col, lo, hi = self.e, self.coef[j], self.RLO[j + 1], self.RHI[j + 1]
        bounds = [None, None]  # integer g_lo, g_hi

        def need(c, u, above):  # c g > u (above) or c g < u, strictly
            if c == 0:
                return (u < 0) if above else (u > 0)
            if above == (c > 0):
                low = u // c + 1
                bounds[0] = low if bounds[0] is None else max(bounds[0], low)
            else:
                high = -(-u // c) - 1
                bounds[1] = high if bounds[1] is None else min(bounds[1], high)
            return True

        if e.mode == "exact":  # t - z - c g in [a, b]:  c g in [t - z - b, t - z - a]
            for z, c, a, b, t in zip(Z[0], col, lo, hi, e.T):
                if not (need(c, t - z - b - 1, True) and need(c, t - z - a + 1, False)):
                    return None
        elif e.mode == "sign":  # t (z + c g + rest) > 0 for some rest in [a, b]
            for z, c, a, b, t in zip(Z[0], col, lo, hi, e.labels):
                if not need(c, -(z + b) if t > 0 else -(z + a), t > 0):
                    return None
        else:  # argmax: output c above every other output u, for some completion
            for i, (c, label) in enumerate(zip(col, e.labels)):
                low, high = self._unit_intervals(Z, k, i)
                if label == k:  # Z_k + c g + hi > low(u) for every other u
                    top = max(low[u] for u in range(e.K) if u != k)
                    if not need(c, top - Z[k][i] - hi[i], True):
                        return None
                    continue
                if not need(c, high[label] - Z[k][i] - lo[i], False):  # unit k under label
                    return None
                if any(high[label] <= low[u] for u in range(e.K) if u not in (k, label)):
                    return None
        G, (g_lo, g_hi) = e.G, bounds
        start = 0 if g_lo is None else bisect_left(G, g_lo)
        stop = len(G) if g_hi is None else bisect_right(G, g_hi)
        return (start, stop) if start < stop else None

    # -- the search --------------------------------------------------------------------------
    def search(self, cap, inclusive: bool):
        """``(loss, params)``: with ``inclusive``, the first candidate (lexicographic order)
        with scaled loss ``<= cap``; otherwise the least loss ``< cap`` (``cap=None``: no
        bound) and its first minimiser. ``(None, None)`` when there is none."""
        e, K, m1, G = self.e, self.e.K, self.m1, self.e.G
        Z = [[0] * e.n for _ in range(K)]
        chosen: list = []
        state = {"cap": cap, "inclusive": inclusive, "params": None}
        ranged = inclusive and cap == 0

        def pruned(bound):
            c = state["cap"]
            return c is not None and (bound > c or (bound == c and not state["inclusive"]))

        def rec(k, j):
            e.tick()
            if k == K:
                loss = self.loss(Z)
                if not pruned(loss):
                    state.update(cap=loss, inclusive=False, params=list(chosen))
                    return _STOP if inclusive else None
                return None
            if j == m1:
                return rec(k + 1, 0)
            if ranged:
                span = self.feasible_range(Z, k, j)
                if span is None:
                    return None
                values = G[span[0]:span[1]]
            else:
                if pruned(self.lower_bound(Z, k, j)):
                    return None
                values = G
            col, row = self.coef[j], Z[k]
            for g in values:
                for i, c in enumerate(col):
                    row[i] += c * g
                chosen.append(g)
                r = rec(k, j + 1)
                chosen.pop()
                for i, c in enumerate(col):
                    row[i] -= c * g
                if r is _STOP:
                    return _STOP
            return None

        rec(0, 0)
        if state["params"] is None:
            return None, None
        p = state["params"]
        return state["cap"], [tuple(p[u * m1:(u + 1) * m1]) for u in range(K)]
