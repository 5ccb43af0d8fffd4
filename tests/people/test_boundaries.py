"""people/ imports none of the other apps (annotation, review and exports may import it)."""

import ast
from pathlib import Path

PEOPLE = Path(__file__).resolve().parents[2] / "people"
OTHERS = {"annotation", "review", "exports"}


def imported_apps(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names


def test_people_imports_none_of_the_other_apps():
    offenders = {
        str(path.relative_to(PEOPLE.parent)): sorted(imported_apps(path) & OTHERS)
        for path in PEOPLE.rglob("*.py")
        if imported_apps(path) & OTHERS
    }
    assert offenders == {}
