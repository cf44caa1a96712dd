"""The example published in docs/allocation.md reproduces exactly, through the library and the command line."""

import hashlib
import json
import re
import subprocess
import sys

from tournament.config import ROOT
from tournament.festival.allocation import inputs_from_data, inputs_sha256, run_published

DOC = ROOT / "docs" / "allocation.md"


def _block(name: str) -> str:
    match = re.search(rf"<!-- example-{name} -->\n```\w+\n(.*?)\n```", DOC.read_text(encoding="utf-8"), re.S)
    assert match, f"no example-{name} block in {DOC}"
    return match.group(1)


def test_the_published_example_gives_the_published_output_byte_for_byte():
    inputs, seed, output = json.loads(_block("inputs")), _block("seed"), _block("output")
    assert run_published(inputs, seed) == output.encode("utf-8")
    assert inputs_sha256(inputs_from_data(inputs)) in DOC.read_text(encoding="utf-8")


def test_xpo_allocate_prints_the_published_output(tmp_path):
    path = tmp_path / "inputs.json"
    path.write_text(_block("inputs"), encoding="utf-8")
    printed = subprocess.run(
        [sys.executable, "-m", "web.cli", "allocate", str(path), "--seed", _block("seed")],
        capture_output=True, check=True, cwd=ROOT,
    ).stdout
    assert printed == _block("output").encode("utf-8")
    assert hashlib.sha256(printed).hexdigest() in DOC.read_text(encoding="utf-8")


def test_the_standalone_verifier_prints_the_published_fingerprint_without_the_project(tmp_path):
    from tournament.festival.allocation_verifier import FILENAME, verifier_source

    verifier, inputs = tmp_path / FILENAME, tmp_path / "inputs.json"
    verifier.write_text(verifier_source(), encoding="utf-8")
    inputs.write_text(_block("inputs"), encoding="utf-8")
    # -I: isolated mode, run from an empty folder, so nothing of the project can be imported.
    printed = subprocess.run([sys.executable, "-I", str(verifier), str(inputs), "--seed", _block("seed")],
                             capture_output=True, check=True, cwd=tmp_path).stdout.decode()
    expected = hashlib.sha256(_block("output").encode("utf-8")).hexdigest()
    assert printed == expected + "\n"
    assert expected in DOC.read_text(encoding="utf-8")


def test_the_verifier_imports_the_standard_library_only():
    import ast

    from tournament.festival.allocation_verifier import verifier_source

    modules = set()
    for node in ast.walk(ast.parse(verifier_source())):
        if isinstance(node, ast.Import):
            modules |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            modules.add(node.module.split(".")[0])
    assert modules and modules <= sys.stdlib_module_names, modules - sys.stdlib_module_names
