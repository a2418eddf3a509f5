"""Generate a deterministic Jekyll-style blog of any size, in one of two profiles.

    python bench/generate.py OUTDIR --posts 10000 --tags 200 [--seed 1] [--profile kubevirt]

Same arguments, same bytes: no clock, one seeded random generator per blog.

``kubevirt`` (the default): posts of about 4 KB (1-12 KB), with kubevirt.io's front
matter, Zipf-like tag use with mixed-case variants, Liquid ({% raw %}, {% post_url %}),
relative links and images, code blocks and tables.

``markdown``: the same front matter and tag use, Markdown-heavy bodies: long lists whose
items carry several inline links, code spans and emphasis; footnotes, tables and fenced
code inside lists; about a dozen Liquid tags per post ({{ site.baseurl }}, {{ page.title }},
{% raw %}, {% post_url %} to earlier posts, {% highlight %}, | relative_url, {% if %},
{% for %}, {% assign %}, {% capture %}).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
from pathlib import Path

WORDS = (
    "virtual machine cluster node storage network migration guest image disk pod operator "
    "release upgrade kernel memory cpu scheduler volume snapshot bridge interface policy "
    "controller agent console template device driver feature gate performance latency "
    "workload container runtime service mesh ingress route config secret label"
).split()
AUTHORS = [f"Author {chr(65 + i % 26)}{i}" for i in range(36)] + [
    "Zoë Ibáñez",
    "Pedro Ibáñez Requena",
    "jcpowermac, booxter",
    "Ann Lee, Bo Chen",
]
CATEGORIES = ["news", "updates", "releases", "uncategorized"]
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def tag_names(count: int) -> list[str]:
    names = []
    for i in range(count):
        base = f"{WORDS[i % len(WORDS)]}{i // len(WORDS) or ''}"
        if i % 9 == 3:
            base = f"{base} notes"
        names.append(base)
    return names


def variant(rng: random.Random, tag: str) -> str:
    roll = rng.random()
    if roll < 0.1:
        return tag.title()
    if roll < 0.15:
        return tag.upper()
    return tag


def pub_date(rng: random.Random, day: dt.date) -> str:
    month = MONTHS[day.month - 1]
    shapes = [
        f"{month} {day.day}",
        f"{month[:3]} {day.day}",
        f"{month}, {day.day:02d}",
        f"{day.day} {month[:3]}",
    ]
    return rng.choice(shapes)


def paragraph(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def body(rng: random.Random, size: int, earlier: list[str], n: int) -> str:
    parts = [f"## Part {n}", paragraph(rng, 40)]
    while sum(len(p) for p in parts) < size:
        roll = rng.random()
        if roll < 0.15:
            parts.append("```bash\nkubectl get vmis -n default\nvirtctl console testvm\n```")
        elif roll < 0.22:
            parts.append("```yaml\napiVersion: v1\nkind: Pod\nmetadata:\n  name: demo\n```")
        elif roll < 0.27:
            parts.append("| name | value |\n|---|---|\n| cpu | 2 |\n| memory | 2Gi |")
        elif roll < 0.32:
            parts.append(
                f"![diagram](/assets/images/{n}.png) and [an older note](../assets/notes-{n}.html)."
            )
        elif roll < 0.35:
            parts.append(
                "{% raw %}\n```bash\nkubectl get vmi -o go-template='{{.status.phase}}'"
                "\n```\n{% endraw %}"
            )
        elif roll < 0.38 and earlier:
            parts.append(f"See [this post]({{% post_url {rng.choice(earlier)} %}}).")
        elif roll < 0.45:
            parts.append("- " + "\n- ".join(paragraph(rng, 8) for _ in range(4)))
        else:
            parts.append(paragraph(rng, rng.randint(30, 90)))
    return "\n\n".join(parts) + "\n"


def inline(rng: random.Random, n: int, earlier: list[str]) -> str:
    """One list item's text: several inline links, code spans and emphasis."""
    bits = []
    for i in range(rng.randint(3, 6)):
        word, other = rng.choice(WORDS), rng.choice(WORDS)
        roll = rng.random()
        if roll < 0.3:
            bits.append(f"[{word} {other}](https://example.org/{word}/{n}-{i}.html)")
        elif roll < 0.45:
            bits.append(f"[the {word} guide](../docs/{other}.html#{word})")
        elif roll < 0.65:
            bits.append(f"`{word}.{other}({i})`")
        elif roll < 0.8:
            bits.append(f"*{word}* and **{other}**")
        elif roll < 0.83 and earlier:
            bits.append(f"[an earlier {word}]({{% post_url {rng.choice(earlier)} %}})")
        else:
            bits.append(f"_{word}_ `--{other}`")
    return paragraph(rng, 4)[:-1] + ", " + ", ".join(bits) + "."


def markdown_body(rng: random.Random, size: int, earlier: list[str], n: int) -> str:
    """A Markdown-heavy body with twelve or more Liquid tags (see the module's text)."""
    target = rng.choice(earlier) if earlier else None
    parts = [
        f"## Part {n}: {{{{ page.title }}}}",
        paragraph(rng, 30) + " Start at [the docs]({{ site.baseurl }}/docs/) or "
        "[the home page]({{ '/' | relative_url }}).",
        "{% assign first_tag = page.tags | first %}"
        "{% if first_tag %}Filed under *{{ first_tag }}*.{% endif %}",
    ]
    if target is not None:
        parts.append(f"Read [the post before]({{% post_url {target} %}}) first.")
    footnotes = 0
    while sum(len(p) for p in parts) < size:
        roll = rng.random()
        if roll < 0.3:
            items = [f"- {inline(rng, n, earlier)}" for _ in range(rng.randint(6, 14))]
            parts.append("\n".join(items))
        elif roll < 0.42:
            footnotes += 1
            parts.append(
                f"1. {inline(rng, n, earlier)}[^{footnotes}]\n"
                "2. A table inside the list:\n\n"
                "   | name | value | `flag` |\n   |---|---|---|\n"
                f"   | cpu | {rng.randint(1, 64)} | `--cpu` |\n"
                f"   | memory | {rng.randint(1, 64)}Gi | *soft* |\n\n"
                "3. A fenced block inside the list:\n\n"
                "   ```yaml\n   apiVersion: v1\n   kind: Pod\n   metadata:\n"
                f"     name: demo-{n}\n   ```\n\n"
                f"[^{footnotes}]: {paragraph(rng, 10)}"
            )
        elif roll < 0.5:
            parts.append(
                "{% highlight python %}\n"
                f"def {rng.choice(WORDS)}_{n}(vm):\n    return vm.get('{rng.choice(WORDS)}')\n"
                "{% endhighlight %}"
            )
        elif roll < 0.56:
            parts.append(
                "{% raw %}\n```bash\nkubectl get vmi -o go-template='{{.status.phase}}'"
                "\n```\n{% endraw %}"
            )
        elif roll < 0.62:
            parts.append(
                "Tags: {% for tag in page.tags %}`{{ tag }}`{% unless forloop.last %}, "
                "{% endunless %}{% endfor %}."
            )
        elif roll < 0.68:
            parts.append(
                "{% capture where %}{{ site.baseurl }}/assets/{{ page.slug }}{% endcapture %}"
                f"![diagram]({{{{ where }}}}/{n}.png) and "
                f"[the notes]({{{{ '/notes/{n}.html' | relative_url }}}})."
            )
        else:
            parts.append(paragraph(rng, rng.randint(20, 60)))
    parts.append("*This post, {{ page.title }}, is part of the benchmark.*")
    return "\n\n".join(parts) + "\n"


PROFILES = ("kubevirt", "markdown")


def generate(out: Path, posts: int, tags: int, seed: int = 1, profile: str = "kubevirt") -> None:
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r}: one of {', '.join(PROFILES)}")
    write_body = markdown_body if profile == "markdown" else body
    rng = random.Random(seed)
    folder = out / "posts"
    folder.mkdir(parents=True, exist_ok=True)
    names = tag_names(tags)
    weights = [1 / (rank + 1) for rank in range(tags)]  # Zipf-like
    start = dt.date(2014, 1, 1)
    earlier: list[str] = []
    for n in range(posts):
        day = start + dt.timedelta(days=n * 4000 // max(posts, 1))
        slug = f"post-{n}-{rng.choice(WORDS)}"
        picked = sorted({variant(rng, t) for t in rng.choices(names, weights, k=rng.randint(1, 6))})
        size = int(min(12000, max(1000, rng.lognormvariate(8.3, 0.45))))
        front = [
            "---",
            "layout: post",
            f"author: {rng.choice(AUTHORS)}",
            f"title: {paragraph(rng, 6)[:-1]}",
            f"description: {paragraph(rng, 18)}",
            "navbar_active: Blogs",
            f"category: {rng.choice(CATEGORIES)}",
            "comments: true",
            "tags: [" + ", ".join(f'"{t}"' for t in picked) + "]",
            f"pub-date: {pub_date(rng, day)}",
            f"pub-year: {day.year}",
            "---",
        ]
        name = f"{day:%Y-%m-%d}-{slug}"
        text = "\n".join(front) + "\n" + write_body(rng, size, earlier[-200:], n)
        (folder / f"{name}.md").write_text(text, "utf-8")
        earlier.append(name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--posts", type=int, default=10000)
    parser.add_argument("--tags", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--profile", choices=PROFILES, default="kubevirt")
    args = parser.parse_args()
    generate(args.out, args.posts, args.tags, args.seed, args.profile)


if __name__ == "__main__":
    main()
