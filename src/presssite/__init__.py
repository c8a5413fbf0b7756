"""presssite: a static-site generator for bilingual press-release portals."""

from pathlib import Path

__version__ = "0.1.0"

# The default theme (templates, static files, catalogs), shipped as package data.
THEME_DIR = Path(__file__).parent / "theme"
