"""Compiled multi-precision gradient-descent kernels (numba): float64, double-double, quad-double.

Formats (``fmt``): ``"float64"`` (1 limb, 53 bits), ``"dd"`` (2 limbs, 106 bits, ~31.9 digits),
``"qd"`` (4 limbs, 212 bits, ~63.8 digits). Numbers are tuples of doubles inside compiled code
and the last axis of float64 arrays outside it; all three formats have float64's exponent range.
Values of the multiplicative parametrisations (shared ``D = 2``, difference) far below it are
kept exactly as limbs times a power of two (scaled coordinates, :mod:`~numerics.kernels.gd`);
any other value leaving the full-precision range stops its row with the status ``range``, and
:func:`numerics.gd.gradient_descent` goes on in Arb from the exact state.

Modules:

* :mod:`~numerics.kernels.eft`: error-free transformations (TwoSum, Fast2Sum, TwoProd with a
  hardware FMA through ``llvm.fma.f64``);
* :mod:`~numerics.kernels.dd`, :mod:`~numerics.kernels.qd`: the arithmetic;
* :mod:`~numerics.kernels.arith`: one vocabulary of operations over the three formats;
* :mod:`~numerics.kernels.gd`: the compiled GD loop (all parametrisations, batch of rows);
* :mod:`~numerics.kernels.state`: :func:`prepare`, :func:`run`, :class:`GDState` (the API);
* :mod:`~numerics.kernels.convert`: exact Fraction <-> limbs conversions, the formats' ranges;
* :mod:`~numerics.kernels.driver`: one :func:`numerics.gd.gradient_descent` run on a kernel,
  with the reference driver's bookkeeping (records, checks, tail, checkpoints).

Compiled code is cached on disk (numba ``cache=True``) in ``__pycache__`` beside these files or,
when that directory is not writable (a read-only install), in numba's per-user cache directory
(``$XDG_CACHE_HOME/numba`` or ``~/.cache/numba``); ``NUMBA_CACHE_DIR`` overrides both. When no
directory is writable at all, the kernels compile in every process (:data:`eft.CACHED` is
False) instead of failing at import. First compilation takes 3-5 s per format on an idle core
(~12 s for all three; reported as the phase ``"compiling kernels (once per installation)"``
and logged); a fresh process with a warm cache needs ~0.3-0.5 s for its first call (numba's
start-up), plus ~0.3-0.5 s to import numba.
numba keys each function's cache on the contents of its own source file only;
:mod:`~numerics.kernels.cache` gives all kernel functions one stamp (a hash of all the kernel
sources), so editing any of them recompiles every kernel.
"""

from . import arith, dd, eft, gd, qd
from .cache import stamp_caches
from .convert import FORMAT_DPS, LIMBS, from_limbs, to_limbs
from .eft import FMA_HARDWARE
from .gd import STATUS_NAMES
from .state import GDState, prepare, run

stamp_caches([eft, dd, qd, arith, gd])

__all__ = ["prepare", "run", "GDState", "STATUS_NAMES", "LIMBS", "FORMAT_DPS", "FMA_HARDWARE",
           "to_limbs", "from_limbs"]
