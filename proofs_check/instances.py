"""The instances a claim is checked on: exact data, and a metamorphic transformation of them.

:class:`Instance` is what every strategy of :mod:`proofs_check.strategies` draws and every
check judges; :class:`Transformed` pairs one with a scale and a permutation. Both are frozen and
hashable (a search caches its judgements per instance), describe themselves exactly
(:meth:`Instance.key`, numbers as strings such as ``"1/2"``) and are rebuilt from that key by
:func:`instance_from_key`. Nothing here imports hypothesis.

Examples
--------
>>> from fractions import Fraction
>>> inst = Instance(((Fraction(1), Fraction(1, 2)),), Fraction(1), Fraction(1, 100))
>>> inst.describe()
'x=(1, 1/2), y=1, alpha=1/100'
>>> instance_from_key(inst.key()) == inst
True
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

__all__ = ["Instance", "Transformed", "instance_from_key", "DEFAULT_PARAM"]

#: the parametrisation of an :class:`Instance` that does not name one (the paper's model)
DEFAULT_PARAM = "shared"


@dataclass(frozen=True)
class Instance:
    """One generated problem: exact data, initialisation scale, optional step and ground truth.

    Attributes
    ----------
    X : tuple of tuples of Fraction
        The ``n x d`` data (one row for one sample).
    y : Fraction (one sample) or tuple of Fraction (``n`` samples)
    alpha : Fraction, ``alpha > 0``
    eta : Fraction or None
    beta_star : tuple of Fraction or None
    param : ``"shared"``, ``"product"`` or ``"difference"``
    edge : str
        The edge case the strategy aimed at (``""`` for a generic draw).
    theta : tuple of tuples of Fraction, or None
        A parameter point: ``(w,)`` (shared) or ``(u, v)`` (product, difference), for claims
        about the loss landscape at a point (R1, E1, E2).
    """

    X: tuple
    y: object
    alpha: Fraction
    eta: Fraction | None = None
    beta_star: tuple | None = None
    param: str = DEFAULT_PARAM
    edge: str = ""
    theta: tuple | None = None

    @property
    def n(self) -> int:
        return len(self.X)

    @property
    def d(self) -> int:
        return len(self.X[0])

    @property
    def x(self) -> tuple:
        """The single sample (one-sample instances)."""
        if self.n != 1:
            raise ValueError("x is defined for one-sample instances only")
        return self.X[0]

    @property
    def ys(self) -> tuple:
        """The labels as a tuple (length ``n``)."""
        return self.y if isinstance(self.y, tuple) else (self.y,)

    @property
    def parametrisation(self):
        """The :class:`theory.parametrisations.Parametrisation` named by ``param``."""
        from theory.parametrisations import parametrisation

        return parametrisation(self.param)

    def problem(self, **changes):
        """The :class:`numerics.Problem` of this instance (``changes`` override fields)."""
        from numerics.problem import Problem

        data = self.X[0] if isinstance(self.y, Fraction) else [list(r) for r in self.X]
        kw = dict(param=self.param, beta_star=self.beta_star)
        kw.update(changes)
        return Problem(data, self.y, self.alpha, **kw)

    def replace(self, **changes) -> Instance:
        from dataclasses import replace

        return replace(self, **changes)

    @classmethod
    def from_problem(cls, problem, *, eta=None, theta=None) -> Instance:
        """The instance of a :class:`numerics.Problem` (validated data), with an optional
        learning rate and parameter point.

        Parameters
        ----------
        problem : numerics.Problem
            One sample gives ``X = (x,)`` and a scalar ``y`` (the form of the one-sample
            strategies); ``beta_star`` and the parametrisation are taken over.
        eta : exact real, ``eta > 0``, optional
        theta : optional parameter point: ``(w,)`` for ``shared``, ``(u, v)`` for
            ``product`` and ``difference`` (a flat ``w`` is accepted for ``shared``), each of
            length ``d``

        Raises
        ------
        DomainError
            ``eta <= 0`` or not a number; ``theta`` of the wrong shape or not numbers.
        """
        from numerics.problem import as_fraction
        from theory.errors import DomainError

        if problem.depth != 2:
            raise DomainError("depth", problem.depth, "depth 2 (the claims' instances)")
        if eta is not None:
            eta = as_fraction(eta, "eta")
            if eta <= 0:
                raise DomainError("eta", eta, "eta > 0 is required")
        if theta is not None:
            blocks = problem.parametrisation.blocks
            if blocks == 1 and theta and not isinstance(theta[0], list | tuple):
                theta = (theta,)
            if len(theta) != blocks or any(len(t) != problem.d for t in theta):
                shape = "one vector w" if blocks == 1 else "two vectors u and v"
                raise DomainError("theta", theta, f"{shape} of length d = {problem.d} for "
                                  f"the {problem.param} parametrisation")
            theta = tuple(tuple(as_fraction(v, f"theta[{k}][{i}]") for i, v in enumerate(t))
                          for k, t in enumerate(theta))
        one = problem.n == 1
        return cls(tuple(tuple(r) for r in problem.X), problem.y[0] if one else
                   tuple(problem.y), problem.alpha, eta, problem.beta_star, problem.param,
                   "", theta)

    def key(self) -> dict:
        """Exact JSON description (numbers as strings such as ``"1/2"``), enough to reproduce.

        ``param`` is left out for the default parametrisation (:data:`DEFAULT_PARAM`)."""
        s = str
        out = {"x": [s(v) for v in self.X[0]]} if isinstance(self.y, Fraction) else {
            "X": [[s(v) for v in r] for r in self.X]}
        out["y"] = s(self.y) if isinstance(self.y, Fraction) else [s(v) for v in self.y]
        out["alpha"] = s(self.alpha)
        if self.eta is not None:
            out["eta"] = s(self.eta)
        if self.beta_star is not None:
            out["beta_star"] = [s(v) for v in self.beta_star]
        if self.param != DEFAULT_PARAM:
            out["param"] = self.param
        if self.theta is not None:
            out["theta"] = [[s(v) for v in t] for t in self.theta]
        if self.edge:
            out["edge"] = self.edge
        return out

    def describe(self) -> str:
        """One line, exact numbers."""
        k = self.key()
        return ", ".join(f"{name}={_text(v)}" for name, v in k.items())


def _text(v) -> str:
    if isinstance(v, list):
        return "(" + ", ".join(_text(u) for u in v) + ")"
    return str(v)


@dataclass(frozen=True)
class Transformed:
    """An instance with a metamorphic transformation: a scale ``c`` and a permutation.

    Attributes
    ----------
    instance : Instance
    c : Fraction, ``c > 0``: the scale of ``x -> c x`` (and ``y -> c y``)
    perm : tuple of int: a permutation of ``range(d)``
    """

    instance: Instance
    c: Fraction
    perm: tuple

    def key(self) -> dict:
        out = self.instance.key()
        out["c"] = str(self.c)
        out["perm"] = list(self.perm)
        return out

    def describe(self) -> str:
        return f"{self.instance.describe()}, c={self.c}, perm={list(self.perm)}"


def instance_from_key(key: dict):
    """Rebuild an :class:`Instance` (or :class:`Transformed`) from its :meth:`~Instance.key`."""
    q = Fraction
    if "x" in key:
        X = (tuple(q(v) for v in key["x"]),)
        y = q(key["y"])
    else:
        X = tuple(tuple(q(v) for v in row) for row in key["X"])
        y = tuple(q(v) for v in key["y"])
    inst = Instance(
        X, y, q(key["alpha"]), q(key["eta"]) if "eta" in key else None,
        tuple(q(v) for v in key["beta_star"]) if "beta_star" in key else None,
        key.get("param", DEFAULT_PARAM), key.get("edge", ""),
        tuple(tuple(q(v) for v in t) for t in key["theta"]) if "theta" in key else None)
    if "c" in key:
        return Transformed(inst, q(key["c"]), tuple(key["perm"]))
    return inst
