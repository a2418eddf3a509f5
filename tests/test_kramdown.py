"""kramdown output (Jekyll 4.3 defaults) through Python-Markdown, checked against real kramdown."""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
from functools import cache

import lxml.html
import pytest

from feedwright.kramdown import KramdownOptions, to_html

# Each case: (name, Markdown). Rendered by Jekyll's own kramdown converter with its defaults
# (input GFM, auto_ids, hard_wrap false, smart_quotes lsquo,rsquo,ldquo,rdquo, rouge) and by
# to_html; the two must agree as text, and most of them as markup.
CASES: list[tuple[str, str]] = [
    ("paragraphs", "One line\nand the next.\n\nA second paragraph."),
    ("emphasis", "*em* and **strong** and _under_ and __double__, snake_case_word"),
    ("atx headers", "# One\n\n## Two ##\n\n###### Six"),
    ("setext headers", "Title\n=====\n\nSub\n---"),
    ("hashtag is not a header", "#hashtag at the start\n\n#5 is a number"),
    ("header ids with punctuation", "# Hello, World! (part 1)\n\n## C++ & Rust: a story"),
    ("duplicate header ids", "# Intro\n\n# Intro\n\n# Intro"),
    ("header id with code and quotes", '# The `kubectl` "get" command\n\n## It\'s here'),
    ("unicode header id", "# Über café\n\n## 日本語"),
    ("explicit header id", "# Custom {#my-id}\n\n## Other"),
    ("unordered list", "- one\n- two\n- three"),
    ("star and plus lists", "* one\n* two\n\n+ three\n+ four"),
    ("ordered list", "1. one\n2. two\n3. three"),
    ("list interrupts paragraph", "Some text:\n- a\n- b"),
    ("ordered list interrupts paragraph", "Steps:\n1. first\n2. second"),
    ("nested list two spaces", "- a\n  - b\n    - c\n- d"),
    ("nested ordered in unordered", "- a\n  1. x\n  2. y\n- b"),
    ("loose list", "- a\n\n- b\n\n- c"),
    ("list with paragraphs", "- a\n\n  more of a\n- b"),
    ("list lazy continuation", "- item one\ncontinued lazily\n- item two"),
    ("fenced code backticks", "```\nplain <code> & stuff\n```"),
    ("fenced code tildes with language", "~~~ python\nprint('hi')\n~~~"),
    ("fenced code language", "```ruby\nputs 1 < 2\n```"),
    ("fenced code after paragraph", "Run this:\n```bash\nls -l\n```"),
    ("indented code", "Text\n\n    indented code\n    line two"),
    ("code in list", "1. Install:\n\n   ```bash\n   pip install x\n   ```\n\n2. Run it"),
    ("code in list tight", "- step\n  ```\n  code\n  ```\n- next"),
    ("code in blockquote", "> quoted\n>\n> ```\n> code\n> ```"),
    ("code in list in quote", "> - item\n>\n>   ```\n>   nested code\n>   ```"),
    ("inline code", "Use `a < b` and ``x ` y``."),
    ("blockquote", "> a quote\n> on two lines\n\n> another"),
    ("nested blockquote", "> outer\n>\n> > inner"),
    ("blockquote interrupts paragraph", "text\n> quote"),
    ("footnotes", "Text[^1] and more[^note].\n\n[^1]: The first.\n[^note]: A named one."),
    ("footnote referenced twice", "A[^a] and again[^a].\n\n[^a]: Shared."),
    ("footnote with paragraphs", "X[^1]\n\n[^1]: First para.\n\n    Second para."),
    ("abbreviations", "*[VM]: Virtual Machine\n*[HTML]: Hyper Text\n\nA VM runs HTML."),
    ("definition list", "Term\n: Definition\n\nOther\n: One\n: Two"),
    ("strikethrough", "This is ~~gone~~ here, ~not~ one tilde."),
    ("block IAL after paragraph", 'A paragraph\n{: .note #p1 data-x="y"}'),
    ("block IAL before paragraph", "{: .warn}\nA paragraph"),
    ("block IAL compact", "Para\n{:.cls}"),
    ("block IAL on header", "## Head\n{: .big}"),
    ("block IAL on list", "- a\n- b\n{: .items}"),
    ("block IAL on blockquote", "> quote\n{: .q}"),
    ("span IAL", "An *em*{: .x} and a [link](http://e.com){:.y}."),
    ("IAL on list item", "- {:.first} one\n- two"),
    ("ALD", "{:warn: .warning}\n\nParagraph\n{: warn}"),
    ("markdown in html", '<div markdown="1">\n*inside* div\n</div>'),
    ("markdown block in html", '<section markdown="block">\n# Head\n\n- a\n</section>'),
    ("html block raw", "<div>\n*not parsed*\n</div>\n\nAfter."),
    ("inline html", "Some <kbd>Ctrl</kbd> and <span class='x'>span</span>."),
    ("html comment", "<!-- hidden -->\n\nVisible."),
    ("gfm table", "| a | b |\n|---|---|\n| 1 | 2 |"),
    ("table alignment", "| l | c | r |\n|:--|:-:|--:|\n| 1 | 2 | 3 |"),
    ("table without outer pipes", "a | b\n--|--\n1 | 2"),
    ("headerless table", "| one | two |\n| three | four |"),
    ("table with inline code pipe", "| cmd | note |\n|---|---|\n| `a|b` | pipe |"),
    ("table with formatting", "| *a* | **b** |\n|---|---|\n| [l](u) | `c` |"),
    ("task list", "- [ ] todo\n- [x] done\n- plain"),
    ("task list ordered", "1. [x] done\n2. [ ] open"),
    ("bare url not linked", "See http://example.com and www.example.com now."),
    ("autolink angle", "<https://example.com> and <me@example.com>"),
    ("links and images", '[a](http://a.com "T") ![img](/i.png) [ref][r]\n\n[r]: http://r.com'),
    ("smart quotes", "\"Double\" and 'single' and it's and '90s"),
    ("dashes and ellipsis", "a -- b --- c... d"),
    ("guillemets", "<< a >> and <<b>>"),
    ("entities", "AT&amp;T &copy; &#8212; & < 5"),
    ("escapes", r"\*not em\* \| pipe \~ tilde \# hash"),
    ("hard line breaks", "two spaces  \nbackslash\\\nnext"),
    ("soft line break", "one\ntwo"),
    ("horizontal rules", "a\n\n---\n\n***\n\n* * *"),
    ("kramdown comment", "{::comment}\nThis is hidden.\n{:/comment}\n\nShown."),
    ("kramdown nomarkdown", "{::nomarkdown}\n<b>*raw*</b>\n{:/nomarkdown}"),
    ("kramdown options", '{::options parse_block_html="true" /}\n\nText.'),
    ("header then list", "## Steps\n- a\n- b"),
    ("paragraph then header", "text\n# Header"),
    ("wide list markers", "-   wide\n-   items\n\n    more"),
    ("numbered not one", "3. three\n4. four"),
    ("code with tabs", "```\n\tindented with tab\n```"),
    ("long fence", "````\n```\ninner\n```\n````"),
    ("emphasis in link", "[*em* link](http://x.com)"),
    ("html entity in code", "`&amp;` stays"),
]

# Cases whose output still differs, with the reason. Checked in both directions: a case
# listed here that starts to agree fails, so the list cannot go stale.
TEXT_DIFFERS: dict[str, str] = {}
MARKUP_DIFFERS: dict[str, str] = {}

ORACLE = r"""
require 'json'
require 'jekyll'
converter = Jekyll::Converters::Markdown::KramdownParser.new(Jekyll::Configuration.from({}))
puts JSON.generate(JSON.parse($stdin.read).map { |text| converter.convert(text) })
"""


@cache
def _kramdown() -> dict[str, str] | None:
    if shutil.which("ruby") is None:
        return None
    result = subprocess.run(
        ["ruby", "-e", ORACLE],
        input=json.dumps([text for _, text in CASES]),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        return None
    outputs: list[str] = json.loads(result.stdout)
    return {name: out for (name, _), out in zip(CASES, outputs, strict=True)}


def _oracle() -> dict[str, str]:
    found = _kramdown()
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("ruby with the jekyll and kramdown-parser-gfm gems is needed under CI")
        pytest.skip("ruby with the jekyll and kramdown-parser-gfm gems is not installed")
    return found


def _text(markup: str) -> str:
    if not markup.strip():
        return ""
    return " ".join(lxml.html.fragment_fromstring(markup, create_parent="div").text_content().split())


def _markup(markup: str) -> str:
    """Markup with attributes in a stable order and whitespace runs as one space, none
    between block tags."""
    if not markup.strip():
        return ""
    root = lxml.html.fragment_fromstring(markup, create_parent="div")
    # no syntax highlighting: Rouge's spans in code blocks are not compared
    for span in root.xpath("//pre//span"):
        span.drop_tag()
    parts: list[str] = []

    def text(value: str | None, keep: bool) -> None:
        if value:
            parts.append(html.escape(value if keep else re.sub(r"\s+", " ", value), quote=False))

    def walk(element: lxml.html.HtmlElement, keep: bool) -> None:
        if isinstance(element.tag, str):
            keep = keep or element.tag == "pre"
            attrs = "".join(
                f' {k}="{html.escape(v)}"' for k, v in sorted(element.attrib.items())
            )
            parts.append(f"<{element.tag}{attrs}>")
            text(element.text, keep)
            for child in element:
                walk(child, keep)
                text(child.tail, keep)
            parts.append(f"</{element.tag}>")

    walk(root, False)
    joined = "".join(parts)
    blocks = "p|li|ul|ol|dl|dd|dt|div|table|thead|tbody|tr|td|th|blockquote|h[1-6]|hr|pre"
    return re.sub(rf"\s*(</?(?:{blocks})\b[^>]*>)\s*", r"\1", joined)


def test_cases_are_many_and_distinct() -> None:
    names = [name for name, _ in CASES]
    assert len(names) >= 60
    assert len(set(names)) == len(names)
    assert set(TEXT_DIFFERS) <= set(names)
    assert set(MARKUP_DIFFERS) <= set(names)


@pytest.mark.parametrize(("name", "source"), CASES, ids=[name for name, _ in CASES])
def test_same_text_as_kramdown(name: str, source: str) -> None:
    expected = _text(_oracle()[name])
    actual = _text(to_html(source))
    if name in TEXT_DIFFERS:
        assert actual != expected, f"{name} agrees now: drop it from TEXT_DIFFERS"
    else:
        assert actual == expected


@pytest.mark.parametrize(("name", "source"), CASES, ids=[name for name, _ in CASES])
def test_same_markup_as_kramdown(name: str, source: str) -> None:
    expected = _markup(_oracle()[name])
    actual = _markup(to_html(source))
    if name in MARKUP_DIFFERS or name in TEXT_DIFFERS:
        assert actual != expected, f"{name} agrees now: drop it from MARKUP_DIFFERS"
    else:
        assert actual == expected
