"""The package's wings: the hub never imports the admin command (jupyterhub_config.py
included), and the docs show the layers the wings are held to."""

import ast
import tomllib

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


def module_name(path):
    relative = path.relative_to(REPO_DIR).with_suffix("")
    parts = relative.parts[:-1] if relative.name == "__init__" else relative.parts
    return ".".join(parts)


def test_the_hub_never_imports_the_admin_command():
    hub_side = [p for p in PACKAGE.rglob("*.py") if "admin" not in p.relative_to(PACKAGE).parts]
    hub_side.append(REPO_DIR / "jupyterhub_config.py")
    for path in hub_side:
        package = module_name(path).rsplit(".", 1)[0] if path.parent != REPO_DIR else ""
        imports = imported_modules(path, package)
        assert not [m for m in imports if m.startswith("spawner.admin")], path


def layers():
    """The wings' layers, top first, as pyproject.toml's import-linter contract has them
    (``lint-imports``, run by the test command, holds the code to it)."""
    config = tomllib.loads((REPO_DIR / "pyproject.toml").read_text())
    (contract,) = config["tool"]["importlinter"]["contracts"]
    return [[wing.strip() for wing in layer.split("|")] for layer in contract["layers"]]


def test_the_docs_show_the_layers_the_code_is_held_to():
    names = [" and ".join(f"`{w}`" for w in layer) for layer in layers()]
    sentence = "Wings sit in layers, each importing only the layers below it: " + "; ".join(names)
    page = REPO_DIR / "docs/explanation/architecture.md"
    assert sentence in " ".join(page.read_text().split())


def test_every_wing_is_in_a_layer():
    wings = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    assert wings == {wing for layer in layers() for wing in layer}
