"""The package's wings: the hub never imports the admin command, and wings do not import
each other in a circle."""

import ast

from spawner.settings.environment import REPO_DIR

PACKAGE = REPO_DIR / "spawner"


def imported_modules(path, package):
    """The ``spawner.*`` modules that the file at ``path`` (in ``package``) imports."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module
            found |= {module} | {f"{module}.{alias.name}" for alias in node.names}
    return {m for m in found if m == "spawner" or m.startswith("spawner.")}


def wing(module):
    """``settings`` for ``spawner.settings.hub``; None for the package's shared modules."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and (PACKAGE / parts[1]).is_dir() else None


def module_name(path):
    relative = path.relative_to(REPO_DIR).with_suffix("")
    parts = relative.parts[:-1] if relative.name == "__init__" else relative.parts
    return ".".join(parts)


def wing_arrows():
    arrows = set()
    for path in PACKAGE.rglob("*.py"):
        name = module_name(path)
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        source = wing(name)
        for target in map(wing, imported_modules(path, package)):
            if source and target and target != source:
                arrows.add((source, target))
    return arrows


def test_the_hub_never_imports_the_admin_command():
    hub_side = [p for p in PACKAGE.rglob("*.py") if "admin" not in p.relative_to(PACKAGE).parts]
    hub_side.append(REPO_DIR / "jupyterhub_config.py")
    for path in hub_side:
        package = module_name(path).rsplit(".", 1)[0] if path.parent != REPO_DIR else ""
        imports = imported_modules(path, package)
        assert not [m for m in imports if m.startswith("spawner.admin")], path


def test_wings_import_each_other_one_way_only():
    arrows = wing_arrows()
    assert ("server", "images") in arrows  # the check sees real imports
    assert not {(a, b) for a, b in arrows if (b, a) in arrows}
    assert not [a for a, b in arrows if b == "admin"]
