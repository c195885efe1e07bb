"""One vocabulary of operations over the three formats, resolved at compile time.

The GD loop (:mod:`numerics.kernels.gd`) is written once with :func:`add`, :func:`mul`, ...;
numba picks the implementation from the operand types (``float64``: one limb;
``UniTuple(float64, 2)``: double-double; ``UniTuple(float64, 4)``: quad-double), so each format
is a separate, fully inlined specialisation of the same source. A *prototype* ``z`` (``0.0``,
``(0.0, 0.0)`` or ``(0.0,) * 4``) tells :func:`load` and :func:`const` which format to build.

Multi-limb numbers live in float64 arrays of shape ``(M, L)`` (limbs on the last axis).
These functions are callable from compiled code only.
"""

from __future__ import annotations

import math

from numba import types
from numba.extending import overload

from .dd import dd_add, dd_dot, dd_mul, dd_mul_d, dd_sub
from .qd import qd_add, qd_dot, qd_mul, qd_mul_d, qd_sub

__all__ = ["add", "sub", "mul", "mul_d", "neg", "lead", "load", "store", "const", "finite", "dot"]


def _limbs(t) -> int:
    if isinstance(t, types.Float):
        return 1
    if isinstance(t, types.UniTuple) and isinstance(t.dtype, types.Float) and t.count in (2, 4):
        return t.count
    return 0


def _stub(name):
    """A Python-level name for an operation that exists in compiled code only."""
    def f(*args):
        raise NotImplementedError(f"numerics.kernels.arith.{name} runs in compiled code only")
    f.__name__ = f.__qualname__ = name
    return f


add, sub, mul, mul_d = _stub("add"), _stub("sub"), _stub("mul"), _stub("mul_d")
lead, load, store, const, finite = (_stub("lead"), _stub("load"), _stub("store"), _stub("const"),
                                    _stub("finite"))
neg, dot = _stub("neg"), _stub("dot")


def _binary(stub, impls: dict) -> None:
    """Implement ``stub(a, b)`` by ``impls[number of limbs of a]``."""
    @overload(stub)
    def _impl(a, b):
        return impls.get(_limbs(a))


_binary(add, {1: lambda a, b: a + b, 2: lambda a, b: dd_add(a, b),
              4: lambda a, b: qd_add(a, b)})
_binary(sub, {1: lambda a, b: a - b, 2: lambda a, b: dd_sub(a, b),
              4: lambda a, b: qd_sub(a, b)})
_binary(mul, {1: lambda a, b: a * b, 2: lambda a, b: dd_mul(a, b),
              4: lambda a, b: qd_mul(a, b)})
# a multi-limb ``a`` times a double ``b`` (exact when ``b`` is a power of 2)
_binary(mul_d, {1: lambda a, b: a * b, 2: lambda a, b: dd_mul_d(a, b),
                4: lambda a, b: qd_mul_d(a, b)})


@overload(lead)
def _lead(a):
    """The leading limb: the double nearest the value (normalised numbers)."""
    if _limbs(a) == 1:
        return lambda a: a
    if _limbs(a) > 1:
        return lambda a: a[0]


@overload(finite)
def _finite(a):
    L = _limbs(a)
    if L == 1:
        return lambda a: math.isfinite(a)
    if L == 2:
        return lambda a: math.isfinite(a[0]) and math.isfinite(a[1])
    if L == 4:
        return lambda a: (math.isfinite(a[0]) and math.isfinite(a[1]) and math.isfinite(a[2])
                          and math.isfinite(a[3]))


@overload(load)
def _load(A, i, z):
    """Row ``i`` of an ``(M, L)`` array as a number of ``z``'s format."""
    L = _limbs(z)
    if L == 1:
        return lambda A, i, z: A[i, 0]
    if L == 2:
        return lambda A, i, z: (A[i, 0], A[i, 1])
    if L == 4:
        return lambda A, i, z: (A[i, 0], A[i, 1], A[i, 2], A[i, 3])


@overload(store)
def _store(A, i, v):
    L = _limbs(v)
    if L == 1:
        def impl(A, i, v):
            A[i, 0] = v
        return impl
    if L == 2:
        def impl(A, i, v):
            A[i, 0] = v[0]
            A[i, 1] = v[1]
        return impl
    if L == 4:
        def impl(A, i, v):
            A[i, 0] = v[0]
            A[i, 1] = v[1]
            A[i, 2] = v[2]
            A[i, 3] = v[3]
        return impl


@overload(const)
def _const(c, z):
    """The double ``c`` as a number of ``z``'s format (exact)."""
    L = _limbs(z)
    if L == 1:
        return lambda c, z: float(c)
    if L == 2:
        return lambda c, z: (float(c), 0.0)
    if L == 4:
        return lambda c, z: (float(c), 0.0, 0.0, 0.0)


@overload(neg)
def _neg(a):
    """``-a`` (exact)."""
    L = _limbs(a)
    if L == 1:
        return lambda a: -a
    if L == 2:
        return lambda a: (-a[0], -a[1])
    if L == 4:
        return lambda a: (-a[0], -a[1], -a[2], -a[3])


@overload(dot, inline="always")
def _dot(A, a0, x, x0, m, c, z):
    """``sum_{j<m} A[a0 + j] x[x0 + j] + c`` (rows of ``(M, L)`` arrays), ``c`` added last.

    float64: one accumulator in index order, then ``+ c`` (the roundings of ``fl(X beta) - y``).
    double-double: :func:`numerics.kernels.dd.dd_dot`, compensated, rounded once.
    quad-double: :func:`numerics.kernels.qd.qd_dot`, accumulated by order, rounded once.
    """
    L = _limbs(z)
    if L == 1:
        def impl1(A, a0, x, x0, m, c, z):
            acc = 0.0
            for j in range(m):
                acc += A[a0 + j, 0] * x[x0 + j, 0]
            return acc + c
        return impl1
    if L == 2:
        return lambda A, a0, x, x0, m, c, z: dd_dot(A, a0, x, x0, m, c)
    if L == 4:
        return lambda A, a0, x, x0, m, c, z: qd_dot(A, a0, x, x0, m, c)
