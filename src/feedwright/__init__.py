"""feedwright: correct, stable Atom and RSS feeds from Jekyll-style Markdown posts."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("feedwright")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0"

__all__ = ["__version__"]
