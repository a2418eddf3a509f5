"""Jekyll's Liquid on python-liquid: :class:`JekyllLiquid` renders a post's Liquid with
what :class:`SiteContext` gives of the site, reporting each :class:`LiquidIssue`."""

from feedwright.render.liquid.engine import JekyllLiquid, LiquidIssue, SiteContext, smartify

__all__ = ["JekyllLiquid", "LiquidIssue", "SiteContext", "smartify"]
