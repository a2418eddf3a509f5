"""feedwright: correct, stable Atom and RSS feeds from Jekyll-style Markdown posts."""

# A literal (read by the build backend): importlib.metadata would cost every run ~35 ms.
__version__ = "0.2.0.dev0"

__all__ = ["__version__"]
