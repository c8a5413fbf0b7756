"""Keep the layering of docs/ARCHITECTURE.md true: data flows one way.

Each module may import only modules of lower layers (and stage modules of layer 4 never
import each other). Imports are read with ``ast``, so nothing is executed.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "presssite"

LAYERS = {
    "errors": 0,
    "settings": 1,
    "parallel": 1,
    "executors": 1,
    "model": 2,
    "buildcache": 2,
    "frontmatter": 3,
    "markup": 3,
    "urls": 3,
    "i18n": 3,
    "imagegeom": 3,
    "imagework": 3,
    "pages": 3,
    "social": 3,
    "docstore": 3,
    "contentwalk": 3,
    "pagekeys": 3,
    "templating": 3,
    "staging": 3,
    "content": 4,
    "site": 4,
    "images": 4,
    "render": 4,
    "feeds": 4,
    "output": 4,
    "translations": 4,
    "refcheck": 4,
    "shortcut": 4,
    "edits": 5,
    "buildsteps": 5,
    "build": 6,
    "devserver": 5,
    "serve": 7,
    "deploy": 7,
    "scaffold": 7,
    "cli": 8,
    "__main__": 9,
    "__init__": 0,
}


def modules() -> list[str]:
    return sorted(p.stem for p in PACKAGE.glob("*.py"))


def presssite_imports(name: str) -> set[str]:
    tree = ast.parse((PACKAGE / f"{name}.py").read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level == 1 and node.module:
                found.add(node.module.split(".")[0])
            elif node.level == 1:
                found.update(alias.name for alias in node.names)
            elif node.module and node.module.split(".")[0] == "presssite":
                parts = node.module.split(".")
                if len(parts) > 1:
                    found.add(parts[1])
                else:
                    found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "presssite" and len(parts) > 1:
                    found.add(parts[1])
    return found


def test_every_module_has_a_layer() -> None:
    unknown = [m for m in modules() if m not in LAYERS]
    assert not unknown, f"add these modules to LAYERS and docs/ARCHITECTURE.md: {unknown}"


@pytest.mark.parametrize("name", modules())
def test_imports_flow_down(name: str) -> None:
    layer = LAYERS.get(name)
    if layer is None:
        pytest.skip("covered by test_every_module_has_a_layer")
    for dep in presssite_imports(name):
        if dep not in LAYERS:
            continue
        assert LAYERS[dep] < layer or (LAYERS[dep] == layer and layer == 3), (
            f"{name} (layer {layer}) imports {dep} (layer {LAYERS[dep]})"
        )


def test_images_uses_only_the_core() -> None:
    if not (PACKAGE / "images.py").exists():
        pytest.skip("no image stage yet")
    assert presssite_imports("images") <= {"errors", "settings", "model", "imagegeom", "imagework"}


def test_devserver_knows_nothing_of_presssite() -> None:
    if not (PACKAGE / "devserver.py").exists():
        pytest.skip("no dev server yet")
    assert presssite_imports("devserver") == set()


@pytest.mark.parametrize("name", modules())
def test_modules_stay_small(name: str) -> None:
    lines = (PACKAGE / f"{name}.py").read_text(encoding="utf-8").count("\n")
    assert lines <= 600, f"{name}.py has {lines} lines: split it by job"
