"""``normsharp counterexample``: search a conjecture for a counterexample and shrink it."""

from __future__ import annotations

import sys

from .._args import nonnegative_int, positive_int
from ..output import emit_json, fields_text

DESCRIPTION = ("Search a built-in conjecture (NAME) or your own (--predicate FILE.py:FUNCTION "
               "or MODULE:FUNCTION, found in the current directory too) for a counterexample, "
               "shrink it, and confirm it at a second precision. Your function takes a "
               "proofs_check.conjectures.Case (attributes x, y, alpha, eta, beta_star, problem, "
               "precision, dps; method gd()) and returns True (holds), False (counterexample) "
               "or None (undecided), optionally with a dict of details; an attribute 'strategy' "
               "on it sets the instances searched. A predicate that uses neither gd() nor the "
               "precision is evaluated once (its verdict is exact). Exit 1 when a "
               "counterexample is found, 0 otherwise, 2 when your predicate raises (the line "
               "names the instance).")

#: how each key of a counterexample's detail is introduced
_DETAIL_HEADS = {"exact": "exact (no GD run, no precision used: one evaluation decides)",
                 "audit": "audit (agreed digits)"}


def add_arguments(p) -> None:
    from proofs_check.conjectures import CONJECTURES

    names = list(CONJECTURES)
    p.add_argument("name", nargs="?", metavar="NAME", help="a built-in conjecture: "
                   + ", ".join(names))
    p.add_argument("--predicate", metavar="FILE.py:FUNCTION",
                   help="your own conjecture (instead of NAME): a function in a file "
                   "(myconj.py:fn) or a module (mypackage.conj:fn)")
    p.add_argument("--examples", type=positive_int, default=30, metavar="N",
                   help="instances to judge (default 30)")
    p.add_argument("--seed", type=nonnegative_int, default=0, help="random seed (default 0)")
    p.add_argument("--json", action="store_true", help="print one JSON object")


def run(args) -> int:
    from proofs_check import instance_from_key
    from proofs_check.conjectures import CONJECTURES, load_predicate, search_conjecture
    from theory.errors import DomainError

    if bool(args.name) == bool(args.predicate):
        raise DomainError("NAME", args.name or args.predicate,
                          "exactly one of NAME or --predicate MODULE:FUNCTION")
    if args.predicate:
        conj = load_predicate(args.predicate)
    else:
        if args.name not in CONJECTURES:
            raise DomainError("NAME", args.name, "one of " + ", ".join(CONJECTURES))
        conj = CONJECTURES[args.name]
    if not args.json and sys.stderr.isatty():
        print(f"searching {conj.name} ({args.examples} examples, seed {args.seed}) ...",
              file=sys.stderr)
    res = search_conjecture(conj, examples=args.examples, seed=args.seed)
    if args.json:
        emit_json(res.to_json())
        return res.exit_code
    print(f"conjecture: {res.name}")
    print(f"  {res.statement}")
    print(f"outcome: {res.outcome}   (examples judged: {res.examples}, undecided: "
          f"{res.undecided}, seed {res.seed}, {res.seconds:.1f} s)")
    if res.counterexample:
        cx = res.counterexample
        mark = cx.get("landmark")
        print(f"{'counterexample' if mark else 'shrunk counterexample'}: {cx['description']}")
        for key, d in cx["detail"].items():
            print(f"  {_DETAIL_HEADS.get(key, 'at ' + key)}: {fields_text(d)}")
        if mark:
            print(f"  found at the landmark {mark['name']}, relative offset {mark['offset']} (not "
                  "shrunk: the landmark and the offset are the instance)")
        else:
            if not cx.get("shrunk", True):
                print("  (not shrunk: the shrunk candidate was not confirmed)")
            print(f"  first found: {instance_from_key(cx['shrunk_from']).describe()}")
        print(f"  reproduce: {cx['reproduce']}")
    elif res.reasons:
        print("undecided instances: " + "; ".join(res.reasons))
    if res.notes:
        print(f"notes: {res.notes}")
    return res.exit_code
