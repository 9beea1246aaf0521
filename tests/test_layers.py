"""The apps' layers point down only: vawg (utilities) <- audit <- partnership (access, memberships) <- the domain
apps <- reports. Read from the code's own imports (module level and inside functions), so a new upward import, or
a cycle between two apps of one layer, fails here before anyone has to find it in review."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = {
    "vawg": 0,
    "audit": 1,
    "partnership": 2,
    "actions": 3,
    "referrals": 3,
    "consultations": 3,
    "activity": 3,
    "reports": 4,
    "api": 5,
}
# The project's wiring names every app by design: the URL configuration and the settings, nothing else.
WIRING = {"vawg/urls.py", "vawg/settings.py", "vawg/settings_test.py", "vawg/wsgi.py"}


def imports_of(app: str, root: Path = ROOT) -> dict[str, set[str]]:
    """The other apps each app imports, with the file and line of each import."""
    found: dict[str, set[str]] = {}
    for path in sorted((root / app).rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        if "migrations" in path.parts or relative in WIRING:
            continue
        for node in ast.walk(ast.parse(path.read_text(), filename=relative)):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                target = name.split(".")[0]
                if target in LAYERS and target != app:
                    found.setdefault(target, set()).add(f"{relative}:{node.lineno}")
    return found


GRAPH = {app: imports_of(app) for app in LAYERS}


@pytest.mark.parametrize("app", list(LAYERS))
def test_an_app_imports_only_from_the_layers_below_it(app):
    upward = {
        f"{app} -> {target}: {', '.join(sorted(where))}"
        for target, where in GRAPH[app].items()
        if LAYERS[target] > LAYERS[app]
    }
    assert not upward


def test_no_two_apps_import_each_other():
    cycles = []
    for app, targets in GRAPH.items():
        for target in targets:
            if app < target and app in GRAPH[target]:
                cycles.append(f"{app} <-> {target}: {sorted(targets[target])} and {sorted(GRAPH[target][app])}")
    assert not cycles


def test_the_reader_sees_an_upward_import_inside_a_function(tmp_path):
    """The check itself: an import written inside a function counts as much as one at the top of a module."""
    (tmp_path / "vawg").mkdir()
    (tmp_path / "vawg" / "helpers.py").write_text(
        "import json\nfrom vawg import periods\n\n\ndef later():\n    from reports.builder import build\n"
    )
    assert imports_of("vawg", root=tmp_path) == {"reports": {"vawg/helpers.py:6"}}
