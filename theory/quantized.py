r"""Quantized ReLU networks on rational data: exact evaluation, a decider and exact ERM (C1-C4).

A network of architecture ``(d_0, ..., d_L)`` has layers ``l = 1..L`` with weights
``W_l`` (``d_l x d_{l-1}``) and biases ``b_l``; hidden layers apply ReLU, the output layer is
linear:

.. math:: a_0 = x, \quad a_l = \max(0, W_l a_{l-1} + b_l)\ (l < L), \quad
          f(x) = W_L a_{L-1} + b_L .

With every weight and bias on a finite grid ``G`` of rationals and rational data, ``f(x)`` is
rational and computed exactly, so whether some network fits the data is decidable by
exhaustive search over the ``|G|^P`` candidates (``P = sum_l d_l (d_{l-1} + 1)``), and the
empirical risk has an exact minimum over the grid ([BFFK25]: quantization escapes the
non-computability of training on real numbers; decidable, not tractable).

Parameter order
---------------
A network's parameter vector lists the layers in order and, within a layer, the units in
order, each unit as its *block* ``(W_l[i, 0], ..., W_l[i, d_{l-1} - 1], b_l[i])`` (unit-major).
"Lexicographically first" compares these vectors entry by entry, grid values in increasing
order. The rank of a vector in that order plus one is the number of candidates an exhaustive
enumeration decides up to and including it; it is reported as ``checked``.

Why the pruned search gives the enumeration's answer
----------------------------------------------------
*Permutation pruning (C4).* Permuting the units of a hidden layer ``l`` (rows of ``W_l``,
entries of ``b_l``, columns of ``W_{l+1}``) leaves ``f`` unchanged, so the set of witnesses
(and of minimisers, in ERM) is a union of orbits. In the lexicographically first element of an
orbit the blocks of every hidden layer are sorted: if units ``i < j`` of layer ``l`` had
``block_i > block_j``, swapping them leaves layers ``< l`` alone and makes the vector smaller at
unit ``i``'s block. So the first witness is sorted, and enumerating sorted candidates only
(nondecreasing blocks in every hidden layer) finds it, and finds none when there is none.

*Layer-wise search.* Layers ``> l`` see layer ``l`` only through its activations ``A_l`` on the
data. (i) Two blocks with the same activation column are interchangeable; replacing a block by
the first block (in lexicographic order) with the same column keeps the loss and makes the
vector no larger, then re-sorting the layer (a permutation, as above) makes it no larger again;
so the first witness uses, in every hidden layer, first blocks only, sorted. Among the
configurations built from first blocks, lexicographic order of the blocks is lexicographic
order of their column indices (columns numbered by their first block), so the configurations
are enumerated as nondecreasing index tuples in lexicographic order. (ii) Whether (and how
well) layers ``> l`` can finish depends on ``A_l`` only, and, with the pruning, only on its
columns as a multiset (permute the next layer's inputs); it is memoised by that key. (iii) The
output layer is searched depth first in lexicographic order, and a subtree is skipped only when
an interval bound (hidden activations and grid values are bounded) proves that no candidate in
it is acceptable. Each step removes candidates that cannot be the first witness (or the first
minimiser), so the answer, the witness and ``checked`` equal those of the plain enumeration;
the tests compare them with an independent brute force.

References
----------
C1 to C4, [BFFK25] arXiv 2408.06212, as reconstructed in the project's specification (from the
source's abstract and third-party summaries).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

from ._quantized_search import Engine, SearchBudgetExceeded
from ._rationals import positive_int, rational_vector
from .citations import cites
from .errors import DomainError

__all__ = ["Network", "FitResult", "ERMResult", "SearchBudgetExceeded", "LABELS",
           "DEFAULT_BUDGET", "evaluate", "fits", "empirical_risk", "candidate_count",
           "decide_fit", "erm", "permute_hidden", "canonical_network", "lex_rank"]

SOURCE = "[BFFK25]"
#: how labels are read: interpolation, signs (``y f(x) > 0``), argmax of the outputs
LABELS = ("exact", "sign", "argmax")
#: default work budget of a search (block columns, configurations, output-layer nodes)
DEFAULT_BUDGET = 2_000_000


@dataclass(frozen=True)
class Network:
    """A ReLU network with exact rational parameters.

    Attributes
    ----------
    layers : tuple of ``(W, b)``
        ``W`` a tuple of rows (tuples of Fraction), ``b`` a tuple of Fraction, for ``l = 1..L``.
    """

    layers: tuple

    @property
    def widths(self) -> tuple:
        """The architecture ``(d_0, ..., d_L)``."""
        return (len(self.layers[0][0][0]),) + tuple(len(b) for _, b in self.layers)

    def parameters(self) -> tuple:
        """The parameter vector in unit-major order (see the module notes)."""
        return tuple(v for W, b in self.layers for row, bi in zip(W, b) for v in (*row, bi))

    @classmethod
    def from_parameters(cls, widths, parameters) -> Network:
        """The network of architecture ``widths`` with the unit-major ``parameters``."""
        it = iter(parameters)
        layers = []
        for d_in, d in zip(widths, widths[1:]):
            blocks = [tuple(next(it) for _ in range(d_in + 1)) for _ in range(d)]
            layers.append((tuple(bl[:-1] for bl in blocks), tuple(bl[-1] for bl in blocks)))
        return cls(tuple(layers))

    def __call__(self, x) -> tuple:
        return evaluate(self, x)

    def to_json(self) -> dict:
        """``{"layers": [{"W": [[...]], "b": [...]}, ...]}`` with exact rationals as strings."""
        return {"layers": [{"W": [[str(v) for v in row] for row in W], "b": [str(v) for v in b]}
                           for W, b in self.layers]}


@dataclass(frozen=True)
class FitResult:
    """The answer of :func:`decide_fit`.

    Attributes
    ----------
    found : bool
    witness : Network or None
        The lexicographically first fitting network on the grid.
    checked : int
        Candidates decided in lexicographic order: the witness's rank plus one, or ``space``
        when there is none (every candidate was decided: the proof of exhaustion).
    space : int
        ``|G|^P``.
    evaluated : int
        Units of work the pruned, layer-wise search actually did.
    labels : str
    """

    found: bool
    witness: Network | None
    checked: int
    space: int
    evaluated: int
    labels: str

    def to_json(self) -> dict:
        return {"found": self.found, "checked": self.checked,
                "witness": None if self.witness is None else self.witness.to_json(),
                "space": self.space, "evaluated": self.evaluated, "labels": self.labels}


@dataclass(frozen=True)
class ERMResult:
    """The answer of :func:`erm`: the exact least empirical risk on the grid.

    Attributes
    ----------
    loss : Fraction
        Mean squared error (``labels="exact"``) or the fraction of misfitted samples.
    minimiser : Network
        The lexicographically first network attaining it.
    space, evaluated : int
        As in :class:`FitResult` (every candidate is decided: ``checked == space``).
    labels : str
    """

    loss: Fraction
    minimiser: Network
    space: int
    evaluated: int
    labels: str


# -- validation --------------------------------------------------------------------------------
def _widths(widths, claim) -> tuple:
    if isinstance(widths, (str, bytes)) or not hasattr(widths, "__iter__"):
        raise DomainError("widths", widths, "a sequence (d_0, ..., d_L) of layer widths", claim)
    ws = tuple(widths)
    if len(ws) < 2:
        raise DomainError("widths", ws, "at least an input and an output width (L >= 1)", claim)
    return tuple(positive_int(w, f"widths[{i}]", claim) for i, w in enumerate(ws))


def _grid(grid, claim) -> tuple:
    values = rational_vector(grid, "grid", claim)
    if not values:
        raise DomainError("grid", grid, "a non-empty finite set of rationals", claim)
    return tuple(sorted(set(values)))


def _data(X, widths, claim) -> tuple:
    if isinstance(X, (str, bytes)) or not hasattr(X, "__iter__"):
        raise DomainError("X", X, "a sequence of samples (rows of rationals)", claim)
    rows = tuple(rational_vector(row, f"X[{i}]", claim, widths[0]) for i, row in enumerate(X))
    if not rows:
        raise DomainError("X", X, "at least one sample", claim)
    return rows


def _labels(y, labels, n, K, claim) -> tuple:
    if labels not in LABELS:
        raise DomainError("labels", labels, f"one of {', '.join(LABELS)}", claim)
    ys = rational_vector(y, "y", claim, n)
    if labels == "argmax":
        if K < 2:
            raise DomainError("widths[-1]", K, "argmax labels need d_L >= 2 outputs", claim)
        for i, v in enumerate(ys):
            if v.denominator != 1 or not 0 <= v < K:
                raise DomainError(f"y[{i}]", v, f"a class index 0..{K - 1} (argmax labels)",
                                  claim)
        return tuple(int(v) for v in ys)
    if K != 1:
        raise DomainError("widths[-1]", K, f"one output (d_L = 1) for {labels} labels", claim)
    if labels == "sign":
        for i, v in enumerate(ys):
            if v == 0:
                raise DomainError(f"y[{i}]", v, "a nonzero label (sign labels: y f(x) > 0 is "
                                  "required, so 0 has no sign; use -1 and +1)", claim)
        return tuple(1 if v > 0 else -1 for v in ys)
    return ys


def _network(network, claim) -> Network:
    if not isinstance(network, Network):
        raise DomainError("network", type(network).__name__, "a theory.quantized.Network",
                          claim)
    return network


# -- C1: exact evaluation ------------------------------------------------------------------------
@cites("C1", SOURCE)
def evaluate(network: Network, x) -> tuple:
    r"""The exact output of a ReLU network with rational parameters at a rational input (C1).

    Statement
    ---------
    .. math:: f(x) = W_L a_{L-1} + b_L, \quad a_l = \max(0, W_l a_{l-1} + b_l), \quad a_0 = x,

    rational for rational ``x`` and parameters: evaluation is exact.

    Parameters
    ----------
    network : Network
    x : sequence of ``d_0`` rationals

    Returns
    -------
    tuple of Fraction (``d_L`` outputs)

    References
    ----------
    C1, [BFFK25] arXiv 2408.06212, as reconstructed in the project's specification.

    Examples
    --------
    >>> xor = Network((((( 1, -1), (-1, 1)), (0, 0)), (((1, 1),), (0,))))
    >>> [evaluate(xor, x)[0] for x in [(0, 0), (0, 1), (1, 0), (1, 1)]]
    [Fraction(0, 1), Fraction(1, 1), Fraction(1, 1), Fraction(0, 1)]
    """
    network = _network(network, "C1")
    a = rational_vector(x, "x", "C1", network.widths[0])
    last = len(network.layers) - 1
    for l, (W, b) in enumerate(network.layers):
        z = tuple(sum((Fraction(w) * v for w, v in zip(row, a)), Fraction(bi))
                  for row, bi in zip(W, b))
        a = z if l == last else tuple(max(Fraction(0), v) for v in z)
    return a


def _misfits(outputs, y, labels) -> int:
    if labels == "exact":
        return sum(1 for f, t in zip(outputs, y) if f[0] != t)
    if labels == "sign":
        return sum(1 for f, s in zip(outputs, y) if s * f[0] <= 0)
    return sum(1 for f, c in zip(outputs, y) if any(f[c] <= f[u] for u in range(len(f))
                                                       if u != c))


@cites("C1", SOURCE)
def fits(network: Network, X, y, labels: str = "exact") -> bool:
    r"""Whether ``network`` fits the data exactly: interpolation, signs or argmax (C1).

    Statement
    ---------
    ``exact``: :math:`f(x_i) = y_i`; ``sign``: :math:`y_i f(x_i) > 0`; ``argmax``:
    :math:`f(x_i)_{y_i} > f(x_i)_k` for every :math:`k \ne y_i`; for every sample ``i``.

    Parameters
    ----------
    network : Network
    X : ``n`` samples of ``d_0`` rationals
    y : ``n`` labels (rationals; nonzero for ``sign``; class indices for ``argmax``)
    labels : ``"exact"``, ``"sign"`` or ``"argmax"``

    References
    ----------
    C1, [BFFK25] arXiv 2408.06212, as reconstructed in the project's specification.

    Examples
    --------
    >>> xor = Network((((( 1, -1), (-1, 1)), (0, 0)), (((1, 1),), (0,))))
    >>> fits(xor, [(0, 0), (0, 1), (1, 0), (1, 1)], [0, 1, 1, 0])
    True
    """
    network = _network(network, "C1")
    rows = _data(X, network.widths, "C1")
    ys = _labels(y, labels, len(rows), network.widths[-1], "C1")
    return _misfits([evaluate(network, x) for x in rows], ys, labels) == 0


@cites("C1", SOURCE)
def empirical_risk(network: Network, X, y, labels: str = "exact") -> Fraction:
    r"""The exact empirical risk of ``network`` on the data (C1, the objective of C3).

    Statement
    ---------
    ``exact``: :math:`\frac1n \sum_i (f(x_i) - y_i)^2`; ``sign`` and ``argmax``: the fraction
    of samples not fitted (see :func:`fits`).

    References
    ----------
    C1, [BFFK25] arXiv 2408.06212, as reconstructed in the project's specification.

    Examples
    --------
    >>> one = Network(((((1, 0),), (0,)),))
    >>> empirical_risk(one, [(0, 0), (1, 0)], [1, 1])
    Fraction(1, 2)
    """
    network = _network(network, "C1")
    rows = _data(X, network.widths, "C1")
    ys = _labels(y, labels, len(rows), network.widths[-1], "C1")
    outputs = [evaluate(network, x) for x in rows]
    if labels == "exact":
        return sum(((f[0] - t) ** 2 for f, t in zip(outputs, ys)), Fraction(0)) / len(rows)
    return Fraction(_misfits(outputs, ys, labels), len(rows))


# -- C2, C3: the decider and exact ERM -----------------------------------------------------------
@cites("C2", SOURCE)
def candidate_count(widths, grid) -> int:
    r"""The number of candidate networks ``|G|^P`` on the grid (C2).

    Statement
    ---------
    .. math:: |G|^P, \qquad P = \sum_{l=1}^{L} d_l (d_{l-1} + 1).

    References
    ----------
    C2, [BFFK25] arXiv 2408.06212, as reconstructed in the project's specification.

    Examples
    --------
    >>> candidate_count((2, 2, 1), [-1, 0, 1])
    19683
    """
    ws, G = _widths(widths, "C2"), _grid(grid, "C2")
    return len(G) ** sum(d * (d_in + 1) for d_in, d in zip(ws, ws[1:]))


@cites("C2", SOURCE)
def lex_rank(network: Network, grid) -> int:
    r"""The rank of ``network``'s parameter vector among all grid candidates (C2).

    Statement
    ---------
    With ``i_k`` the index of the ``k``-th parameter in the sorted grid,
    :math:`\operatorname{rank} = \sum_k i_k |G|^{P-1-k}`: the number of candidates that come
    before it in lexicographic order.

    References
    ----------
    C2, [BFFK25] arXiv 2408.06212, as reconstructed in the project's specification.

    Examples
    --------
    >>> lex_rank(Network(((((0,),), (1,)),)), [0, 1])
    1
    """
    network, G = _network(network, "C2"), _grid(grid, "C2")
    index = {g: i for i, g in enumerate(G)}
    rank = 0
    for k, v in enumerate(network.parameters()):
        if Fraction(v) not in index:
            raise DomainError(f"network.parameters()[{k}]", v, "a value of the grid", "C2")
        rank = rank * len(G) + index[Fraction(v)]
    return rank


def _engine(widths, grid, X, y, labels, symmetry, budget, progress, claim):
    ws, G = _widths(widths, claim), _grid(grid, claim)
    rows = _data(X, ws, claim)
    ys = _labels(y, labels, len(rows), ws[-1], claim)
    budget = positive_int(budget, "budget", claim)
    if progress is not None and not callable(progress):
        raise DomainError("progress", progress, "a callable (stage, done, total) or None", claim)
    space = len(G) ** sum(d * (d_in + 1) for d_in, d in zip(ws, ws[1:]))
    return Engine(ws, G, rows, (labels, ys), symmetry=bool(symmetry), budget=budget,
                  progress=progress, space=space, claim=claim), ws


def _as_network(engine: Engine, ws, params) -> Network:
    flat = [engine.grid_value(v) for layer in params for block in layer for v in block]
    return Network.from_parameters(ws, flat)


@cites("C2", SOURCE)
def decide_fit(widths, grid, X, y, labels: str = "exact", *, symmetry: bool = True,
               budget: int = DEFAULT_BUDGET,
               progress: Callable[[str, int, int], None] | None = None) -> FitResult:
    r"""Decide whether a ReLU network on the grid fits the data; the first witness (C2).

    Statement
    ---------
    For architecture ``(d_0, ..., d_L)``, finite grid ``G`` and rational data, the question
    "is there :math:`\theta \in G^P` with :math:`f_\theta` fitting the data?" is decided by
    exhaustive search: the answer is the lexicographically first witness, or ``None`` after
    all :math:`|G|^P` candidates are decided.

    Parameters
    ----------
    widths : ``(d_0, ..., d_L)``, integers ``>= 1``; ReLU hidden layers, linear output
    grid : finite set of rationals (sorted, duplicates dropped)
    X : ``n >= 1`` samples of ``d_0`` rationals
    y : ``n`` labels, read as ``labels`` says (see :func:`fits`)
    labels : ``"exact"`` (interpolation), ``"sign"`` or ``"argmax"``
    symmetry : bool
        Prune hidden-unit permutations (C4; the answer does not change, see the module notes).
    budget : int >= 1
        Units of work allowed (block columns, layer configurations, output-layer nodes).
    progress : callable ``(stage, done, total)`` or None
        Called as the first layer's configurations are searched.

    Returns
    -------
    FitResult

    Raises
    ------
    DomainError
        Invalid input; :class:`SearchBudgetExceeded` (a DomainError naming ``budget``) when
        the search needs more work than ``budget``.

    Notes
    -----
    Exact: sound (the witness fits, :func:`fits`) and complete (``None`` only when no
    candidate fits); ``checked`` equals what the plain enumeration would report.

    References
    ----------
    C2, [BFFK25] arXiv 2408.06212, as reconstructed in the project's specification.

    Examples
    --------
    >>> X, y = [(0, 0), (0, 1), (1, 0), (1, 1)], [0, 1, 1, 0]
    >>> decide_fit((2, 1, 1), [-1, 0, 1], X, y).found
    False
    >>> r = decide_fit((2, 2, 1), [-1, 0, 1], X, y)
    >>> r.found, r.checked, r.space
    (True, 2109, 19683)
    >>> r.witness.to_json()["layers"][1]
    {'W': [['-1', '-1']], 'b': ['1']}
    """
    engine, ws = _engine(widths, grid, X, y, labels, symmetry, budget, progress, "C2")
    params = engine.run_decide()
    if params is None:
        return FitResult(False, None, engine.space, engine.space, engine.work, labels)
    net = _as_network(engine, ws, params)
    return FitResult(True, net, lex_rank(net, grid) + 1, engine.space, engine.work, labels)


@cites("C3", SOURCE)
def erm(widths, grid, X, y, labels: str = "exact", *, symmetry: bool = True,
        budget: int = DEFAULT_BUDGET,
        progress: Callable[[str, int, int], None] | None = None) -> ERMResult:
    r"""Exact empirical risk minimisation over the grid (C3).

    Statement
    ---------
    .. math:: \min_{\theta \in G^P} \hat R(\theta), \qquad
              \hat R = \frac1n \sum_i (f_\theta(x_i) - y_i)^2 \ \text{(exact labels)}
              \ \text{or the fraction of misfitted samples (sign, argmax)},

    a minimum over a finite set, attained and rational, returned exactly with the
    lexicographically first minimiser.

    Parameters
    ----------
    As :func:`decide_fit`.

    References
    ----------
    C3, [BFFK25] arXiv 2408.06212, as reconstructed in the project's specification.

    Examples
    --------
    >>> X, y = [(0, 0), (0, 1), (1, 0), (1, 1)], [0, 1, 1, 0]
    >>> erm((2, 1, 1), [-1, 0, 1], X, y).loss
    Fraction(1, 4)
    >>> erm((2, 2, 1), [-1, 0, 1], X, y).loss
    Fraction(0, 1)
    """
    engine, ws = _engine(widths, grid, X, y, labels, symmetry, budget, progress, "C3")
    value, params = engine.run_erm()
    return ERMResult(engine.true_loss(value), _as_network(engine, ws, params), engine.space,
                     engine.work, labels)


# -- C4: hidden-unit permutations ----------------------------------------------------------------
@cites("C4", SOURCE)
def permute_hidden(network: Network, layer: int, perm) -> Network:
    r"""Permute the units of hidden layer ``layer`` (C4): the function does not change.

    Statement
    ---------
    With :math:`P` a permutation matrix,
    :math:`(W_l, b_l, W_{l+1}) \mapsto (P W_l, P b_l, W_{l+1} P^T)` leaves :math:`f` unchanged
    (ReLU acts entrywise).

    Parameters
    ----------
    network : Network
    layer : int, ``1 <= layer <= L - 1``
    perm : a permutation of ``range(d_layer)``; unit ``i`` of the result is unit ``perm[i]``

    References
    ----------
    C4, [BFFK25] arXiv 2408.06212, as reconstructed in the project's specification.

    Examples
    --------
    >>> net = Network(((((1, 0), (0, 1)), (0, 0)), (((1, 2),), (0,))))
    >>> permute_hidden(net, 1, (1, 0)).layers[1][0]
    ((2, 1),)
    """
    network = _network(network, "C4")
    L = len(network.layers)
    if isinstance(layer, bool) or not isinstance(layer, int) or not 1 <= layer <= L - 1:
        raise DomainError("layer", layer, f"a hidden layer 1..{L - 1}", "C4")
    d = network.widths[layer]
    p = tuple(perm) if hasattr(perm, "__iter__") else perm
    if not isinstance(p, tuple) or sorted(p) != list(range(d)):
        raise DomainError("perm", perm, f"a permutation of range({d})", "C4")
    layers = list(network.layers)
    W, b = layers[layer - 1]
    layers[layer - 1] = (tuple(W[i] for i in p), tuple(b[i] for i in p))
    W2, b2 = layers[layer]
    layers[layer] = (tuple(tuple(row[i] for i in p) for row in W2), b2)
    return Network(tuple(layers))


@cites("C4", SOURCE)
def canonical_network(network: Network) -> Network:
    r"""The representative with sorted hidden layers (C4): equal function, one per orbit.

    Statement
    ---------
    For ``l = 1..L-1`` in turn, sort the units of layer ``l`` by their blocks
    ``(W_l[i, :], b_l[i])`` (stably), permuting the columns of ``W_{l+1}`` along. The result
    computes the same function; permuted networks whose blocks are pairwise distinct in every
    hidden layer have the same canonical network.

    References
    ----------
    C4, [BFFK25] arXiv 2408.06212, as reconstructed in the project's specification.

    Examples
    --------
    >>> net = Network(((((1, 0), (0, 1)), (0, 0)), (((1, 2),), (0,))))
    >>> canonical_network(net).layers[1][0]
    ((2, 1),)
    """
    network = _network(network, "C4")
    for layer in range(1, len(network.layers)):
        W, b = network.layers[layer - 1]
        order = sorted(range(len(b)), key=lambda i: (tuple(Fraction(v) for v in W[i]),
                                                     Fraction(b[i])))
        network = permute_hidden(network, layer, tuple(order))
    return network

