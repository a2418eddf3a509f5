"""The redirect rules ``build`` writes for static hosts, each an output file that
``redirects:`` asks for: Netlify's ``_redirects``, an nginx ``map`` to include, and an
Apache ``.htaccess``. Each sends 301 with the new absolute URL for a moved feed and 410
for a retired one. Each rule matches the path of the URL the feed was published at
(:func:`feedwright.feeds.feed_url`, under ``feeds_url``: the output may be published under
/feeds/), so it answers the URL subscribers have; the lines are sorted, so unchanged rules
are unchanged bytes."""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

from feedwright.config import Config
from feedwright.feeds import feed_url
from feedwright.moves.record import Rules
from feedwright.publish.manifest import APACHE_RULES, NETLIFY_RULES, NGINX_RULES

_HEADER = (
    "# feedwright: feeds that moved (301) or ended (410). Every build rewrites this file;\n"
    "# change moved: in config.yaml instead of editing it.\n"
)


def rule_files(config: Config) -> dict[str, str]:
    """The rule files the config asks for: output path -> what writes it (for the
    output-clash check)."""
    wanted = config.redirects
    found = {
        NETLIFY_RULES: (wanted.netlify, "the Netlify redirects (redirects.netlify)"),
        NGINX_RULES: (wanted.nginx, "the nginx redirect map (redirects.nginx)"),
        APACHE_RULES: (wanted.apache, "the Apache redirects (redirects.apache)"),
    }
    return {path: who for path, (on, who) in found.items() if on}


def _sent(config: Config, relpath: str) -> str:
    """The path of the feed's published URL, as sent (percent-encoded)."""
    return urlsplit(feed_url(config, relpath)).path


def _decoded(config: Config, relpath: str) -> str:
    """The path of the feed's published URL, decoded (as nginx and Apache match it)."""
    return unquote(_sent(config, relpath))


def netlify(config: Config, rules: Rules) -> bytes:
    """``_redirects``: forced (``!``), so a tombstone or copy at the old path does not
    shadow the rule; a 410 rule serves the path itself (its tombstone, if any) as Gone."""
    lines = [_HEADER]
    for old, url in sorted(rules.moved.items()):
        lines.append(f"{_sent(config, old)} {url} 301!\n")
    for old in sorted(rules.gone):
        path = _sent(config, old)
        lines.append(f"{path} {path} 410!\n")
    return "".join(lines).encode()


def _nginx_string(value: str) -> str:
    # nginx expands $name in map values: a URL's $ is sent as %24, the same URL
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def nginx(config: Config, rules: Rules) -> bytes:
    """A map of ``$uri`` (decoded, as nginx matches it) to the new URL
    (``$feedwright_moved``) and to 1 for a gone feed (``$feedwright_gone``), for the
    ``http {}`` block; docs/serving.md has the two lines for ``server {}``."""
    lines = [
        _HEADER,
        "# include it in http {}; in server {}:\n",
        "#   if ($feedwright_moved) { return 301 $feedwright_moved; }\n",
        "#   if ($feedwright_gone) { return 410; }\n",
        "map $uri $feedwright_moved {\n",
        '    default "";\n',
    ]
    for old, url in sorted(rules.moved.items()):
        target = url.replace("$", "%24")
        lines.append(f"    {_nginx_string(_decoded(config, old))} {_nginx_string(target)};\n")
    lines += ["}\n", "map $uri $feedwright_gone {\n", "    default 0;\n"]
    lines += [f"    {_nginx_string(_decoded(config, old))} 1;\n" for old in sorted(rules.gone)]
    lines.append("}\n")
    return "".join(lines).encode()


def _apache_string(value: str) -> str:
    # Apache unescapes only \" in a quoted word: every other backslash stays (regex escapes)
    return '"' + value.replace('"', '\\"') + '"'


def apache(config: Config, rules: Rules) -> bytes:
    """``.htaccess`` with mod_alias rules, anchored so that nothing else matches (mod_alias
    matches the decoded URL path, also in an .htaccess of a subfolder)."""
    lines = [_HEADER]
    for old, url in sorted(rules.moved.items()):
        pattern = "^" + re.escape(_decoded(config, old)) + "$"
        lines.append(f"RedirectMatch 301 {_apache_string(pattern)} {_apache_string(url)}\n")
    for old in sorted(rules.gone):
        pattern = "^" + re.escape(_decoded(config, old)) + "$"
        lines.append(f"RedirectMatch 410 {_apache_string(pattern)}\n")
    return "".join(lines).encode()


def host_files(config: Config, rules: Rules) -> dict[str, bytes]:
    """Each rule file the config asks for, by output path."""
    writers = {NETLIFY_RULES: netlify, NGINX_RULES: nginx, APACHE_RULES: apache}
    return {path: writers[path](config, rules) for path in rule_files(config)}
