"""Sphinx configuration of Kaggle Team Hub's documentation (``./deploy/test`` builds it with
warnings as errors)."""

from spawner.settings import reference

project = "Kaggle Team Hub"
extensions = ["myst_parser", "autodoc_traits", "sphinxarg.ext"]
source_suffix = {".md": "markdown"}
exclude_patterns = ["_build"]
myst_heading_anchors = 4
html_theme = "pydata_sphinx_theme"
html_title = project
html_static_path = ["_static"]
html_css_files = ["tables.css"]
html_theme_options = {"secondary_sidebar_items": ["page-toc"]}

# Where reference/settings.md says so, the tables rendered from the settings' declarations.
SETTINGS_TABLES = "<!-- the settings' tables -->"


def put_settings_tables(app, docname, source):
    if docname == "reference/settings":
        source[0] = source[0].replace(SETTINGS_TABLES, reference.tables())


def settings_page_always_read(app, env, added, changed, removed):
    """Read the settings page again in every build: its tables come from the code, which
    Sphinx does not watch."""
    return ["reference/settings"]


def upstream_help_as_text(app, what, name, obj, options, lines):
    """Show the help of settings inherited from JupyterHub and DockerSpawner as written:
    it is plain text, not always reStructuredText."""
    defined_in = getattr(getattr(obj, "this_class", None), "__module__", "spawner")
    if what == "trait" and not defined_in.startswith("spawner") and lines:
        lines[:] = ["::", ""] + [f"    {line}" for line in lines]


def setup(app):
    app.connect("source-read", put_settings_tables)
    app.connect("env-get-outdated", settings_page_always_read)
    app.connect("autodoc-process-docstring", upstream_help_as_text)
