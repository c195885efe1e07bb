"""``normsharp instance``: write a reproducible random instance ``(X, y, beta*)`` to a directory.

Numbers are written as exact decimals (every drawn number has ``--decimals`` digits; a label
with noise whose standard deviation is not a decimal, such as 1/3, is written as ``p/q``): read
back as fractions (``0.2`` is 1/5), the files give the generated instance exactly
(:func:`numerics.instances.read_instance`).
"""

from __future__ import annotations

from .._args import number
from ..output import emit_json

DESCRIPTION = ("Write a random instance: X.csv (n rows of d numbers), y.csv, beta_star.csv "
               "(an s-sparse truth; y = X beta* + noise * z) and instance.json (the generator, "
               "its version, the seed, the arguments, the SHA-256 of each file, the library "
               "versions). The same arguments give the same files, byte for byte; numbers are "
               "exact decimals (read back exactly by --instance DIR).")
#: library arguments set by an option of another name
ARGUMENTS = {"folder": "--out", "out": "--out", "n * d": "--n", "signs": "--signs"}


def add_arguments(p) -> None:
    p.add_argument("--n", type=int, required=True, help="samples n >= 1")
    p.add_argument("--d", type=int, required=True, help="coordinates d >= 2")
    p.add_argument("--sparsity", type=int, required=True,
                   help="non-zero entries of beta*, 0 <= S <= d")
    p.add_argument("--noise", type=number, default=0, metavar="SIGMA",
                   help="label-noise standard deviation sigma >= 0 (default 0)")
    p.add_argument("--design", choices=["gaussian", "uniform-positive"], default="gaussian",
                   help="X's entries: standard normal (default) or uniform on (0, 1]")
    p.add_argument("--signs", choices=["random", "positive"], default="random",
                   help="signs of beta*'s non-zero entries (default random)")
    p.add_argument("--decimals", type=int, default=4,
                   help="digits of every drawn number, 1 to 12 (default 4)")
    p.add_argument("--seed", type=int, required=True, help="seed K >= 0")
    p.add_argument("--out", metavar="DIR", required=True, help="directory to write (created)")
    p.add_argument("--json", action="store_true", help="print instance.json")


def _refuse_other_instance(out: str, meta: dict) -> None:
    """An existing ``DIR/instance.json`` of another instance is not overwritten."""
    import json
    from pathlib import Path

    from theory.errors import DomainError

    old = Path(out) / "instance.json"
    if not old.exists():
        return
    try:
        previous = json.loads(old.read_text())
        same = all(previous.get(k) == meta[k] for k in ("generator", "version", "seed",
                                                         "arguments"))
    except (OSError, ValueError, AttributeError):
        same = False
    if not same:
        raise DomainError("--out", out, "a directory without another instance (it holds "
                          "instance.json of other arguments: use another directory)")


def run(args) -> int:
    from numerics.instances import random_instance, write_instance

    inst = random_instance(args.n, args.d, args.sparsity, noise=args.noise,
                           design=args.design, seed=args.seed, decimals=args.decimals,
                           signs=args.signs)
    _refuse_other_instance(args.out, inst.provenance)
    meta = write_instance(inst, args.out)
    if args.json:
        emit_json(meta)
        return 0
    a = meta["arguments"]
    print(f"instance: n = {a['n']}, d = {a['d']}, {a['sparsity']}-sparse beta*, noise "
          f"{a['noise']}, {a['design']} design, seed {meta['seed']} (generator "
          f"{meta['generator']} v{meta['version']})")
    for name, info in meta["files"].items():
        print(f"wrote {args.out}/{name}  sha256 {info['sha256'][:16]}...")
    print(f"wrote {args.out}/instance.json")
    return 0
