"""presssite: a static-site generator for bilingual press-release portals."""

__version__ = "0.1.0"
