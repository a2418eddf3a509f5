"""Markdown rendered as Jekyll 4.3 renders it by default (kramdown with the GFM parser),
on Python-Markdown: :func:`to_html` with :class:`KramdownOptions`. Python-Markdown loads
only when something is converted, so that a build with nothing to render never pays for
it."""

from feedwright.render.kramdown.options import DEFAULT_OPTIONS, KramdownOptions

__all__ = ["KramdownOptions", "to_html"]


def to_html(text: str, options: KramdownOptions = DEFAULT_OPTIONS, prune: bool = True) -> str:
    """The HTML Jekyll (kramdown, GFM input, Rouge) makes of ``text``, without highlighting.
    ``prune=False`` runs every inline pattern (the output is the same)."""
    from feedwright.render.kramdown.engine import to_html as convert

    return convert(text, options, prune)
