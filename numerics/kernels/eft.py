"""Error-free transformations (EFTs) of IEEE binary64 numbers, compiled with numba.

``two_sum(a, b) -> (s, e)``
    ``s = fl(a + b)`` and ``s + e = a + b`` exactly (Knuth; no condition on the operands).
``quick_two_sum(a, b) -> (s, e)``
    the same when ``|a| >= |b|`` or ``a == 0`` (Dekker's Fast2Sum: 3 operations instead of 6).
``two_prod(a, b) -> (p, e)``
    ``p = fl(a b)`` and ``p + e = a b`` exactly, with ``e = fma(a, b, -p)``.

Exactness holds when nothing overflows and, for ``two_prod``, when the exponents of ``a`` and
``b`` sum to at least ``-1022 + 53`` (the error term must not be subnormal); the GD kernels stop a
run with the status ``range`` before their values get there (:mod:`numerics.kernels.gd`).

FMA. Python 3.11 has no ``math.fma``; :func:`fma` is an ``numba.extending.intrinsic`` that emits
LLVM's ``llvm.fma.f64``. That intrinsic is defined as *fused* (one rounding) whatever the target:
on an x86-64 with the FMA3 extension (see :data:`FMA_HARDWARE`) it compiles to one
``vfmadd``/``vfmsub`` instruction (checked in the tests on the generated assembly); elsewhere LLVM
lowers it to a call of the C library's ``fma``, which glibc implements exactly in software
(slow, still exact). So no Dekker-split fallback is needed, and none is kept.

Never compile anything here (or any caller) with ``fastmath``: it licenses the compiler to
reassociate ``(a - (s - bb)) + (b - bb)`` into ``0`` and so destroys every EFT. numba's default
(no fast-math flags, no ``contract``) evaluates each ``+ - *`` exactly once, in source order.
"""

from __future__ import annotations

import numba
from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic

__all__ = ["fma", "two_sum", "quick_two_sum", "two_prod", "FMA_HARDWARE", "JIT", "CACHED"]

def _probe():  # pragma: no cover - never called: its file locates the cache
    return 0


def _cache_available() -> bool:
    """True if numba finds a writable cache directory for this package's functions (beside
    the sources, ``NUMBA_CACHE_DIR``, or the per-user cache). Without one, ``cache=True``
    would make numba raise at import; the kernels then compile in every process instead."""
    try:
        from numba.core.caching import FunctionCache

        FunctionCache(_probe)
        return True
    except Exception:
        return False


#: True when compiled kernels are cached on disk (see :func:`_cache_available`)
CACHED = _cache_available()

#: the options of every compiled function of :mod:`numerics.kernels` (never ``fastmath``)
JIT = dict(nogil=True, cache=CACHED, fastmath=False, error_model="numpy")


def _host_has_fma() -> bool:
    try:
        import llvmlite.binding as llvm

        features = llvm.get_host_cpu_features()
        return bool(features.get("fma", False))
    except Exception:  # pragma: no cover - llvmlite without host feature detection
        return False


#: True when the host CPU has the FMA3 instruction (``llvm.fma.f64`` is then one instruction)
FMA_HARDWARE = _host_has_fma()


@intrinsic
def _llvm_fma(typingctx, a, b, c):
    """``llvm.fma.f64(a, b, c)``: ``a * b + c`` with a single rounding."""
    sig = types.float64(types.float64, types.float64, types.float64)

    def codegen(context, builder, signature, args):
        d = ir.DoubleType()
        fn = cgutils.get_or_insert_function(builder.module, ir.FunctionType(d, [d, d, d]),
                                            "llvm.fma.f64")
        return builder.call(fn, args)

    return sig, codegen


@numba.njit(**JIT)
def fma(a, b, c):
    """``a * b + c`` rounded once (to nearest, ties to even)."""
    return _llvm_fma(a, b, c)


@numba.njit(**JIT)
def two_sum(a, b):
    """``(s, e)``: ``s = fl(a + b)``, ``s + e = a + b`` exactly (6 flops, any operands)."""
    s = a + b
    bb = s - a
    e = (a - (s - bb)) + (b - bb)
    return s, e


@numba.njit(**JIT)
def quick_two_sum(a, b):
    """``(s, e)`` as :func:`two_sum`, valid when ``|a| >= |b|`` (or ``a == 0``)."""
    s = a + b
    e = b - (s - a)
    return s, e


@numba.njit(**JIT)
def two_prod(a, b):
    """``(p, e)``: ``p = fl(a b)``, ``p + e = a b`` exactly (one FMA)."""
    p = a * b
    e = _llvm_fma(a, b, -p)
    return p, e
