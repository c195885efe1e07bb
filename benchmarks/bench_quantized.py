"""Benchmark (e): the quantized decider's pruning, against the plain enumeration it replaces.

Contenders, on XOR instances of ``theory.quantized.decide_fit`` ([BFFK25], C2):

``pruned``
    the layer-wise search with hidden-unit permutation pruning (the default);
``no_symmetry``
    the same search without permutation pruning (``symmetry=False``);
``brute_force``
    ``proofs_check.computability_reference.brute_force_fit``: every candidate in lexicographic
    order, pure Python Fractions (the independent route of the claims).

All three must report the same answer, first witness and ``checked`` (exit 1 otherwise). The
instances are chosen so the brute force finishes in seconds. Then the whole XOR table of the
``reproduce`` section (40 questions, :func:`proofs_check.evidence_computability.xor_table`)
is timed once: the issue's target is under 10 s for its searches. Prints one JSON line:
``speedup_vs_brute_force`` and ``speedup_vs_no_symmetry`` per instance (time ratios, minimum of
interleaved repeats), and ``xor_table_search_seconds``.
"""

from __future__ import annotations

import json
import math
import sys
import time
from functools import partial

from _common import ROOT  # noqa: F401  (puts the checkout on sys.path)

from proofs_check.computability_reference import brute_force_fit  # noqa: E402
from proofs_check.evidence_computability import xor_table  # noqa: E402
from theory.quantized import decide_fit  # noqa: E402

X = [(0, 0), (0, 1), (1, 0), (1, 1)]
INSTANCES = {
    "2-2-1 {-1,0,1} sign (none)": ((2, 2, 1), (-1, 0, 1), (-1, 1, 1, -1), "sign"),
    "2-2-1 {-1,0,1} exact (fits)": ((2, 2, 1), (-1, 0, 1), (0, 1, 1, 0), "exact"),
    "2-2-2-1 {-1,1} exact (none)": ((2, 2, 2, 1), (-1, 1), (0, 1, 1, 0), "exact"),
}


def _time(fn, repeats):
    best, out = math.inf, None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def main() -> int:
    result, ok = {"benchmark": "quantized decider (C2)"}, True
    for label, (arch, grid, y, labels) in INSTANCES.items():
        times = {"pruned": math.inf, "no_symmetry": math.inf, "brute_force": math.inf}
        outs = {}
        args = (arch, grid, X, y, labels)
        contenders = (("pruned", partial(decide_fit, *args)),
                      ("no_symmetry", partial(decide_fit, *args, symmetry=False)),
                      ("brute_force", partial(brute_force_fit, *args)))
        for _ in range(3):  # interleaved rounds
            for name, fn in contenders:
                t, out = _time(fn, 1 if name == "brute_force" else 5)
                times[name] = min(times[name], t)
                outs[name] = out
        b_found, b_checked, b_params = outs["brute_force"]
        for name in ("pruned", "no_symmetry"):
            r = outs[name]
            same = (r.found, r.checked) == (b_found, b_checked) and (
                (r.witness.parameters() if r.found else None) == b_params)
            ok = ok and same
        result[label] = {"speedup_vs_brute_force": round(times["brute_force"] / times["pruned"],
                                                         1),
                         "speedup_vs_no_symmetry": round(times["no_symmetry"] / times["pruned"],
                                                         2),
                         "same_answer": ok}
    t0 = time.perf_counter()
    rows, search, check = xor_table()
    result["xor_table_questions"] = len(rows)
    result["xor_table_search_seconds"] = round(search, 3)
    result["xor_table_independent_check_seconds"] = round(check, 3)
    result["xor_table_total_seconds"] = round(time.perf_counter() - t0, 3)
    ok = ok and all(r["verdict"] == "held" for r in rows)
    result["all_agree"] = ok
    print(json.dumps(result))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
