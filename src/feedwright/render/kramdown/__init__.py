"""Markdown rendered as Jekyll 4.3 renders it by default (kramdown with the GFM parser),
on Python-Markdown: :func:`to_html` with :class:`KramdownOptions`."""

from feedwright.render.kramdown.engine import KramdownOptions, to_html

__all__ = ["KramdownOptions", "to_html"]
