"""Every public theory function cites its claim and source, and its docstring says so.

One test per property, each parametrised over the registry ``theory.CLAIM_FUNCTIONS``
(house style: cvxpy-like tables of properties).
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re

import pytest

import theory
from theory import CLAIM_FUNCTIONS, SOURCES, Citation, citation_of

IDS = [f.__name__ for f in CLAIM_FUNCTIONS]
# The citation machinery is exported by theory but encodes no claim.
INFRASTRUCTURE = {"cites", "citation_of"}


@pytest.mark.parametrize("function", CLAIM_FUNCTIONS, ids=IDS)
def test_function_cites_a_claim(function):
    c = citation_of(function)
    assert c is not None, f"{function.__name__} has no __claim__"
    assert isinstance(c, Citation)
    assert re.fullmatch(r"R[1-9]|E[1-5]|C[1-8]|N[1-3]", c.claim), c.claim
    # the source names a known reference and a part of it: "[MFCKM26] Section 3"
    m = re.fullmatch(r"\[(\w+)\] (Section \d+|Appendix [A-Z]|[a-z][a-z ]+[a-z])", c.source)
    assert m and m.group(1) in SOURCES, c.source


@pytest.mark.parametrize("function", CLAIM_FUNCTIONS, ids=IDS)
def test_docstring_names_claim_and_has_references(function):
    c = citation_of(function)
    doc = inspect.getdoc(function) or ""
    assert re.search(rf"\b{c.claim}\b", doc), f"docstring of {function.__name__} lacks {c.claim}"
    assert re.search(r"^References\n-{10}$", doc, re.M), "no numpydoc References section"
    refs = doc.split("References\n----------", 1)[1]
    assert c.source.split(" ")[0] in refs  # "[MFCKM26]" is cited under References
    assert re.search(rf"\b{c.claim}\b", refs)
    assert re.search(r"^Statement\n-{9}$", doc, re.M), "no Statement section"


@pytest.mark.parametrize("function", CLAIM_FUNCTIONS, ids=IDS)
def test_claim_matches_the_module(function):
    # A module that encodes one claim declares it as CLAIM; its functions must cite it.
    module = inspect.getmodule(function)
    claim = getattr(module, "CLAIM", None)
    if claim is not None:
        assert citation_of(function).claim == claim
    assert citation_of(function).source.startswith(getattr(module, "SOURCE", "["))


def test_every_exported_function_is_registered():
    exported = {name: getattr(theory, name) for name in theory.__all__}
    functions = {n: f for n, f in exported.items() if inspect.isfunction(f)}
    assert set(functions) - INFRASTRUCTURE <= {f.__name__ for f in CLAIM_FUNCTIONS}
    # the exception list is exactly the citation machinery, so it cannot silently grow
    assert {n for n in functions if n in INFRASTRUCTURE} == INFRASTRUCTURE
    assert all(functions[n].__module__ == "theory.citations" for n in INFRASTRUCTURE)


def test_every_module_public_function_is_registered():
    registered = set(CLAIM_FUNCTIONS)
    names = {m.name for m in pkgutil.iter_modules(theory.__path__)}
    # infrastructure modules (citations, errors, the parametrisation objects) encode no claim
    topical = {n for n in names if not n.startswith("_")} - {"citations", "errors",
                                                             "parametrisations"}
    modules = {importlib.import_module(f"theory.{n}") for n in topical}
    assert modules == {inspect.getmodule(f) for f in CLAIM_FUNCTIONS}
    for module in modules:
        for name in module.__all__:
            obj = getattr(module, name)
            if inspect.isfunction(obj):
                assert obj in registered, f"{module.__name__}.{name} is not in CLAIM_FUNCTIONS"


def test_registry_has_no_duplicates_and_covers_all_claims():
    assert len(set(CLAIM_FUNCTIONS)) == len(CLAIM_FUNCTIONS)
    claims = {citation_of(f).claim for f in CLAIM_FUNCTIONS}
    assert claims == ({f"R{k}" for k in range(1, 10)} | {f"E{k}" for k in range(1, 6)}
                      | {f"C{k}" for k in range(1, 9)} | {f"N{k}" for k in range(1, 4)})
