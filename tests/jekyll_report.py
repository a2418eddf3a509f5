"""Print how feedwright's posts differ from what Jekyll 4 publishes for the same site.

    python tests/jekyll_report.py              # the fixture, the sample blog, kubevirt
    python tests/jekyll_report.py SITE_DIR     # a Jekyll site (or a bare posts folder)

For each post with a difference: which fields differ, the content text similarity and a
short excerpt of the first difference; then the summary numbers.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from jekyll_compare import (
    Comparison,
    Corpus,
    compare,
    corpora,
    describe,
    first_difference,
    fold_typography,
    load_allowlist,
)


def report(comparison: Comparison, allowlist: dict[str, dict[str, str]]) -> None:
    posts = comparison.posts
    print(f"\n=== {comparison.corpus}: {comparison.jekyll.root.parent}")
    print(f"{'post':60} {'differs':28} {'similar':>7}")
    for post in posts:
        if not post.diffs:
            continue
        names = ",".join(
            d.field + ("*" if d.field in allowlist.get(post.key, {}) else "") for d in post.diffs
        )
        sim = "" if post.similarity is None else f"{post.similarity:.3f}"
        print(f"{post.key[:60]:60} {names:28} {sim:>7}")
        for diff in post.diffs:
            if diff.field == "content":
                print(f"{'':14}{first_difference(diff.jekyll, diff.feedwright)}")
                folded = fold_typography(diff.jekyll), fold_typography(diff.feedwright)
                if folded[0] == folded[1]:
                    print(f"{'':14}(equal once smart quotes and dashes are folded)")
                elif folded != (diff.jekyll, diff.feedwright):
                    print(f"{'':14}past smart quotes: {first_difference(*folded)}")
            elif diff.field == "links":
                print(f"{'':14}{describe(diff)}")
            elif diff.field != "published":
                print(
                    f"{'':14}{diff.field}: jekyll {diff.jekyll!r} / feedwright {diff.feedwright!r}"
                )
            else:
                print(f"{'':14}jekyll: {diff.jekyll}, feedwright: {diff.feedwright}")
    both = [p for p in posts if p.similarity is not None]
    fields = Counter(d.field for p in posts for d in p.diffs)
    missing = [p.key for p in posts if any(d.jekyll == "published" for d in p.diffs)]
    extra = [p.key for p in posts if any(d.jekyll == "not published" for d in p.diffs)]
    sims = [p.similarity for p in both if p.similarity is not None]
    print(f"\n--- summary: {comparison.corpus}")
    print(
        f"jekyll posts {len(comparison.jekyll.posts)}, "
        f"feedwright posts {len(comparison.feedwright)}"
    )
    print(f"missing in feedwright {len(missing)}: {', '.join(missing) or '-'}")
    print(f"extra in feedwright {len(extra)}: {', '.join(extra) or '-'}")
    print(f"URL equal {len(both) - fields['url']}/{len(both)}")
    print(f"title equal {len(both) - fields['title']}/{len(both)}")
    print(f"date equal {len(both) - fields['date']}/{len(both)}")
    print(f"content text equal {len(both) - fields['content']}/{len(both)}")
    print(f"link targets equal {len(both) - fields['links']}/{len(both)}")
    refolded = sum(
        fold_typography(d.jekyll) == fold_typography(d.feedwright)
        for p in posts
        for d in p.diffs
        if d.field == "content"
    )
    print(
        "content equal once smart quotes and dashes are folded: "
        f"{len(both) - fields['content'] + refolded}/{len(both)}"
    )
    if sims:
        print(
            f"content similarity median {statistics.median(sims):.4f}, min {min(sims):.4f}; "
            f">= 0.995: {sum(s >= 0.995 for s in sims)}/{len(sims)}, "
            f">= 0.97: {sum(s >= 0.97 for s in sims)}/{len(sims)}"
        )
    fw_art: Counter[str] = Counter()
    jk_art: Counter[str] = Counter()
    for post in posts:
        fw_art.update(post.artifacts)
        jk_art.update(post.jekyll_artifacts)
    kinds = sorted(fw_art.keys() | jk_art.keys())
    print(
        "visible artifacts outside code (feedwright / jekyll): "
        + (", ".join(f"{n!r} {fw_art[n]}/{jk_art[n]}" for n in kinds) or "none")
    )
    unexpected = comparison.unexpected(allowlist)
    print(f"differences not in the allowlist: {len(unexpected)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", nargs="?", type=Path, help="a Jekyll site or posts folder")
    parser.add_argument("--corpus", action="append", help="only these built-in corpora")
    args = parser.parse_args(argv)
    allowlist = load_allowlist()
    if args.site is not None:
        selected = [Corpus(args.site.name, args.site.resolve())]
    else:
        known = corpora()
        selected = []
        for name in args.corpus or known:
            if known[name].source.is_dir():
                selected.append(known[name])
            else:
                print(f"=== {name}: skipped, {known[name].source} not found", file=sys.stderr)
    for corpus in selected:
        with tempfile.TemporaryDirectory(prefix="jekyll-diff-") as work:
            report(compare(corpus, Path(work)), allowlist.get(corpus.name, {}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
