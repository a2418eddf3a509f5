"""``feedwright serve``: the output folder over HTTP, done right for feed readers.

:class:`FeedApp` is a small WSGI application: strong content ETags, ``Last-Modified``,
conditional GET (``304``), gzip, the right content types, ``Link`` headers for WebSub,
``/healthz`` (ok or failing), the full status at ``/status.json`` when enabled (to loopback
clients only), and feeds shown as pages (through their XSL stylesheet) to browsers. It
never serves anything outside the output folder: no ``..``, no symlink, no hard link, no
dotfile, no temporary file, no suffix feedwright does not write (matched
case-sensitively), no JSON file but the feeds the last build wrote there. Each file is
read whole into memory and cached by inode, mtime and size, so a build that replaces
files (by atomic rename) never makes a client see a partial one. :class:`HttpServer`
runs it on waitress, with room for many idle connections and a timeout for them."""

from feedwright.serve.app import FeedApp, ServeSettings
from feedwright.serve.cache import BoundedCache
from feedwright.serve.files import safe_parts, xml_prolog
from feedwright.serve.http import accepts_gzip, etag_matches, prefers_html
from feedwright.serve.server import HttpServer, parse_bind, serve_until_signal

__all__ = [
    "BoundedCache",
    "FeedApp",
    "HttpServer",
    "ServeSettings",
    "accepts_gzip",
    "etag_matches",
    "parse_bind",
    "prefers_html",
    "safe_parts",
    "serve_until_signal",
    "xml_prolog",
]
