"""One disk-cache stamp for all compiled kernels.

numba stamps each cached function with the contents of *its own* source file only, but the
compiled code of :func:`numerics.kernels.gd.run_rows` contains (inlined or linked) the code of
``eft.py``, ``dd.py``, ``qd.py`` and ``arith.py``: an edit there would leave a stale loop in
the cache. :func:`stamp_caches` gives every cached dispatcher of these modules one stamp, a hash
of all of their sources, so that any edit recompiles them all (numba ignores an index whose
stamp differs and rewrites it).

This sets a private attribute of numba's cache (``_cache._cache_file._source_stamp``, present
from numba 0.49 to 0.68 at least); if a numba version lacks it, caching falls back to numba's
per-file behaviour and :data:`STAMPED` is False.
"""

from __future__ import annotations

import hashlib
import inspect

from numba.core.dispatcher import Dispatcher

__all__ = ["stamp_caches", "STAMPED", "cached_limbs"]

STAMPED = False


def _digest(modules) -> str:
    h = hashlib.sha256()
    for mod in sorted(modules, key=lambda m: m.__name__):
        with open(inspect.getfile(mod), "rb") as fh:
            h.update(fh.read())
    return h.hexdigest()


def stamp_caches(modules) -> bool:
    """Stamp the disk caches of every numba dispatcher defined in ``modules`` with one hash of
    all their sources; True if every cached dispatcher took the stamp."""
    global STAMPED
    stamp = ("numerics.kernels", _digest(modules))
    ok = True
    for mod in modules:
        for obj in vars(mod).values():
            if isinstance(obj, Dispatcher) and obj.__module__ == mod.__name__:
                cache_file = getattr(getattr(obj, "_cache", None), "_cache_file", None)
                if cache_file is None or not hasattr(cache_file, "_source_stamp"):
                    ok = False
                    continue
                cache_file._source_stamp = stamp
    STAMPED = ok
    return ok


def cached_limbs(dispatcher) -> set | None:
    """The limb counts (1, 2, 4) whose specialisation of ``dispatcher`` its disk cache holds
    for the current sources, read from numba's index (a private API: ``None`` when it cannot
    be read, or when the cache's stamp is not the current one)."""
    try:
        cache_file = dispatcher._cache._cache_file
        index = cache_file._load_index()  # {} when the file is missing or its stamp is stale
    except Exception:  # noqa: BLE001 - a private numba API: any failure means "unknown"
        return None
    found = set()
    for key in index:
        last = str(key[0][-1])
        found.add(4 if "x 4" in last else 2 if "x 2" in last else 1)
    return found
