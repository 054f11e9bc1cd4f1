"""The library API: one method per operation, and SPEC §9's three-line model anchor."""

from __future__ import annotations

import ast
import inspect
import textwrap

from helpers import write_files

from aiprov import Client


def _public_methods() -> dict[str, ast.FunctionDef]:
    tree = ast.parse(textwrap.dedent(inspect.getsource(Client)))
    (cls,) = tree.body
    return {f.name: f for f in cls.body if isinstance(f, ast.FunctionDef) and not f.name.startswith("_")}


def test_no_method_is_an_alias_of_another():
    """A public method whose whole body is ``return self.<another public method>(...)`` is a
    second way to call one operation (``verify_dataset`` for ``verify("dataset", ...)``)."""
    methods = _public_methods()
    aliases = {}
    for name, func in methods.items():
        body = [n for n in func.body if not (isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant))]
        if len(body) == 1 and isinstance(body[0], ast.Return) and isinstance(body[0].value, ast.Call):
            target = body[0].value.func
            if (isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name)
                    and target.value.id == "self" and target.attr in methods):
                aliases[name] = target.attr
    assert not aliases, f"aliases (keep one way to call each operation): {aliases}"


def test_no_kind_in_a_method_name_that_takes_a_kind():
    kinded = [n for n in _public_methods() if n.endswith(("_dataset", "_model")) or n.startswith(("dataset_", "model_"))]
    assert set(kinded) <= {"register_dataset", "register_model"}, kinded


def test_a_training_script_anchors_a_model_in_three_lines(home, tmp_path):
    """SPEC §9, as the README shows it."""
    data = write_files(tmp_path / "data", {"train.csv": "x,y\n1,2\n"})
    model = write_files(tmp_path / "model", {"weights.bin": b"\x00\x01" * 64})
    with Client() as setup:
        dataset_id = setup.register_dataset(data).id

    from aiprov import Client as Anchor  # the three lines

    with Anchor() as aiprov:
        reg = aiprov.register_model(model, datasets=[dataset_id], metrics={"acc": 0.91})

    assert reg.kind == "model" and not reg.already_registered
    assert Client().verify("model", model, id=reg.id).verified
