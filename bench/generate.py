"""Generate a deterministic Jekyll-style blog of any size, kubevirt.io-like.

    python bench/generate.py OUTDIR --posts 10000 --tags 200 [--seed 1]

Same arguments, same bytes: no clock, one seeded random generator. Posts are about 4 KB
(1-12 KB), with kubevirt.io's front matter, Zipf-like tag use with mixed-case variants,
Liquid ({% raw %}, {% post_url %}), relative links and images, code blocks and tables.
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


def generate(out: Path, posts: int, tags: int, seed: int = 1) -> None:
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
        text = "\n".join(front) + "\n" + body(rng, size, earlier[-200:], n)
        (folder / f"{name}.md").write_text(text, "utf-8")
        earlier.append(name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--posts", type=int, default=10000)
    parser.add_argument("--tags", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    generate(args.out, args.posts, args.tags, args.seed)


if __name__ == "__main__":
    main()
