"""Generate a deterministic Jekyll-style blog of any size, shaped like kubevirt.io's.

    python bench/generate.py OUTDIR --posts 10000 --tags 200 [--seed 1]

Same arguments, same bytes: one seeded random generator and no clock. OUTDIR receives
`YYYY-MM-DD-slug.md` files dated 2015-01-01 to 2024-12-31 (several a day are possible;
the newest post is alone on the last day). Front matter follows the kubevirt.io blog:
`layout`, `author` (40 names, some non-ASCII, some "A, B" pairs), `title`, `description`,
`category` (4 values), `tags` drawn Zipf-like from T tags with mixed-case variants of the
same tag and some with spaces, `pub-date` in several shapes and `pub-year` agreeing with
the file's date. Bodies are about 4 KB median (1-12 KB) of English-like text with
headings, lists, fenced bash/yaml code, a table, links, `/assets/...` and `../assets/...`
images, and occasional Liquid (`{% raw %}`, `{% post_url %}` to an earlier post).
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import random
import re
import sys
from collections.abc import Sequence
from pathlib import Path

FIRST_DAY = dt.date(2015, 1, 1)
LAST_DAY = dt.date(2024, 12, 31)

AUTHORS = (
    "Pedro Ibáñez Requena",
    "Pablo Iranzo Gómez",
    "Miguel Duarte Barroso",
    "KubeVirt Maintainers",
    "David Vossel",
    "Fabian Deutsch",
    "Andrew Burden",
    "Alberto Losada Grande",
    "Pep Turró Mauri",
    "Jed Lejosne",
    "Chris Callegari",
    "Mark DeNeve",
    "Zoë Lindqvist",
    "Łukasz Wójcik",
    "Søren Håkansson",
    "Jürgen Müller",
    "François Lefèvre",
    "Chloé Durand",
    "Ana Beatriz Conceição",
    "Mehmet Yılmaz",
    "Ravi Shankar",
    "Wei Zhang",
    "Yuki Tanaka",
    "Olga Petrova",
    "Sam Okafor",
    "Maria Rossi",
    "Tom Becker",
    "Priya Nair",
    "karmab",
    "SchSeba",
    "yuvalif",
    "tripledes",
    "DirectedSoul",
    "mmazur",
    "awels",
    "jcpowermac, booxter",
    "Alice Martin, Bo Chen",
    "Jakub Dvořák, Eva Nováková",
    "Dan Kenigsberg, Petr Horáček",
    "Sally O'Malley, Iván Fernández",
)
AUTHOR_WEIGHTS = tuple(12 if i < 4 else 6 if i < 12 else 2 for i in range(len(AUTHORS)))

CATEGORIES = ("news", "releases", "community", "uncategorized")
CATEGORY_WEIGHTS = (50, 20, 20, 10)

MONTHS = (
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
)

# Tag names as blogs write them; each also appears lower-cased, Title-cased or upper-cased.
TAG_BASE = (
    "KubeVirt",
    "Kubernetes",
    "networking",
    "storage",
    "live migration",
    "CDI",
    "containerized data importer",
    "Multus",
    "SR-IOV",
    "GPU",
    "vm import",
    "OpenShift",
    "libvirt",
    "QEMU",
    "release notes",
    "community",
    "lab",
    "Prometheus",
    "monitoring",
    "Tekton",
    "Ansible",
    "hyperconverged",
    "virtctl",
    "DataVolume",
    "snapshot",
    "cloud-init",
    "Windows",
    "Fedora",
    "CentOS",
    "performance",
    "security",
    "SELinux",
    "CPU pinning",
    "NUMA",
    "hugepages",
    "instancetypes",
    "preferences",
    "hotplug",
    "Istio",
    "service mesh",
    "OVN",
    "bridge",
    "masquerade",
    "Flannel",
    "Calico",
    "Rook",
    "Ceph",
    "NFS",
    "Longhorn",
    "Minikube",
    "kind",
    "k3s",
    "ARM64",
    "s390x",
    "Helm",
    "operator",
    "CRD",
    "webhooks",
    "KubeCon",
    "Summit",
    "video",
    "tutorial",
    "upgrade",
    "backup",
    "Velero",
    "disaster recovery",
    "node maintenance",
    "scheduling",
    "affinity",
    "dedicated CPU",
    "vGPU",
    "mediated devices",
    "USB redirection",
    "VNC",
    "serial console",
    "SSH",
    "Terraform",
    "Grafana",
)
TAG_WORDS = (
    "cluster",
    "guest",
    "disk",
    "image",
    "network",
    "policy",
    "template",
    "console",
    "device",
    "agent",
    "runtime",
    "kernel",
    "memory",
    "volume",
    "gateway",
    "migration",
)

WORDS: dict[str, tuple[str, ...]] = {
    "noun": (
        "cluster",
        "node",
        "virtual machine",
        "pod",
        "disk",
        "volume",
        "network",
        "interface",
        "bridge",
        "operator",
        "controller",
        "release",
        "image",
        "template",
        "snapshot",
        "guest",
        "kernel",
        "scheduler",
        "workload",
        "feature gate",
        "migration",
        "namespace",
        "service",
        "label",
        "device",
        "console",
        "storage class",
        "data volume",
        "webhook",
        "API",
        "manifest",
        "instance type",
        "boot order",
        "firmware",
        "health check",
        "readiness probe",
        "dashboard",
        "test suite",
        "community meeting",
        "user guide",
    ),
    "plural": (
        "clusters",
        "nodes",
        "virtual machines",
        "pods",
        "disks",
        "volumes",
        "networks",
        "interfaces",
        "operators",
        "controllers",
        "releases",
        "images",
        "templates",
        "snapshots",
        "guests",
        "workloads",
        "services",
        "labels",
        "devices",
    ),
    "people": (
        "users",
        "contributors",
        "maintainers",
        "admins",
        "developers",
        "reviewers",
        "speakers",
    ),
    "verb": (
        "runs",
        "starts",
        "stops",
        "migrates",
        "attaches",
        "detaches",
        "schedules",
        "creates",
        "deletes",
        "exposes",
        "updates",
        "watches",
        "reconciles",
        "mounts",
        "boots",
        "restarts",
        "imports",
        "exports",
        "validates",
        "configures",
        "replaces",
        "protects",
    ),
    "base": (
        "run",
        "start",
        "stop",
        "migrate",
        "attach",
        "schedule",
        "create",
        "delete",
        "expose",
        "update",
        "configure",
        "import",
        "check",
        "enable",
        "disable",
        "test",
        "deploy",
        "debug",
        "inspect",
        "upgrade",
    ),
    "adj": (
        "new",
        "running",
        "live",
        "shared",
        "default",
        "dedicated",
        "persistent",
        "virtual",
        "small",
        "large",
        "stable",
        "experimental",
        "secondary",
        "isolated",
        "ephemeral",
        "upstream",
        "local",
        "remote",
        "existing",
        "simple",
    ),
    "adv": (
        "quickly",
        "safely",
        "automatically",
        "transparently",
        "again",
        "in parallel",
        "without downtime",
        "on demand",
        "by default",
        "as expected",
    ),
    "prep": ("on", "to", "from", "in", "with", "inside", "across", "behind", "for", "next to"),
}

SENTENCES = (
    "The {adj} {noun} {verb} the {noun} {prep} the {noun}.",
    "When the {noun} {verb} the {noun}, the {noun} {verb} {adv}.",
    "You can {base} the {noun} with `{cmd}`.",
    "This {noun} {verb} every {noun} {prep} the cluster {adv}.",
    "In this post we {base} {plural} {prep} {adj} {plural}.",
    "Most {plural} {base} the {adj} {noun} {adv}, which keeps the {noun} simple.",
    "One {adj} {noun} is needed before {plural} can {base} the {noun}.",
    "After the upgrade, the {noun} {verb} **{adj} {plural}** {adv}.",
    "We asked the {people} how they {base} their {plural}, and the answers were _{adj}_.",
    "If the {noun} is {adj}, {base} it first and then {base} the {noun}.",
    "See the [{noun} documentation](https://kubevirt.io/user-guide/{slug}/) for details.",
    "Thanks to all {people} who helped us {base} the {adj} {noun}!",
    "Why does the {noun} {base} so {adv}? Because the {noun} {verb} it {prep} the {noun}.",
    "Since version 0.{n}, the {noun} {verb} {plural} {adv}.",
)

COMMANDS = (
    "kubectl apply -f vm.yaml",
    "kubectl get vmis -n default",
    "kubectl get pods -o wide",
    "kubectl describe vmi testvm",
    "kubectl delete vm testvm",
    "virtctl start testvm",
    "virtctl stop testvm",
    "virtctl console testvm",
    "virtctl migrate testvm",
    "virtctl image-upload dv fedora --size=10Gi --image-path=fedora.qcow2",
    "kubectl create namespace kubevirt",
    "kubectl wait --for=condition=Available kubevirt/kubevirt -n kubevirt",
    "export VERSION=$(curl -s https://storage.googleapis.com/kubevirt-prow/release/kubevirt"
    "/kubevirt/stable.txt)",
    "kubectl -n kubevirt patch kubevirt kubevirt --type=merge --patch '{\"spec\":{}}'",
    "minikube start --cni=flannel --memory=8g",
    "kubectl logs -n kubevirt -l kubevirt.io=virt-handler --tail=50",
)


def _slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def tag_names(count: int) -> list[str]:
    """`count` distinct tag names (distinct also once lower-cased and slugified)."""
    names: list[str] = []
    seen: set[str] = set()
    candidates = itertools.chain(
        TAG_BASE,
        (f"{base} {word}" for word in TAG_WORDS for base in TAG_BASE),
        (f"{word}-{n}" for n in itertools.count(2) for word in TAG_WORDS),
    )
    for name in candidates:
        if len(names) == count:
            break
        key = _slugify(name)
        if key not in seen:
            seen.add(key)
            names.append(name)
    return names


def tag_variant(rng: random.Random, tag: str) -> str:
    """The same tag as different authors write it: "KubeVirt", "kubevirt", "Kubevirt"..."""
    roll = rng.random()
    if roll < 0.72:
        return tag
    if roll < 0.90:
        return tag.lower()
    if roll < 0.97:
        return tag.title()
    return tag.upper()


def pub_date(rng: random.Random, day: dt.date) -> str:
    month = MONTHS[day.month - 1]
    short = "Sept" if day.month == 9 and rng.random() < 0.5 else month[:3]
    roll = rng.random()
    if roll < 0.50:
        return f"{month} {day.day}"
    if roll < 0.65:
        return f"{short} {day.day}"
    if roll < 0.75:
        return f"{month}, {day.day}"
    if roll < 0.83:
        return f"{day.day} {short}"
    if roll < 0.92:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(day.day % 10 if day.day // 10 != 1 else 0, "th")
        return f"{month} {day.day}{suffix}"
    return f"{month} {day.day}, {day.year}"


def yaml_text(value: str) -> str:
    """A plain YAML scalar when that reads back as the same text, else a quoted one."""
    if re.search(r":(\s|$)|\s#|^[-?:,\[\]{}#&*!|>'\"%@`]|^\s|\s$", value):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return value


class Writer:
    """Text pools built once from the seeded generator, so each post costs few draws."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.sentences = [self._sentence() for _ in range(6000)]
        self.titles = [self._title() for _ in range(3000)]
        self.tails = [s[0].lower() + s[1:] for s in self.sentences[:500] if not s.startswith("[")]

    def _fill(self, template: str) -> str:
        rng = self.rng

        def pick(match: re.Match[str]) -> str:
            key = match[1]
            if key == "cmd":
                return rng.choice(COMMANDS)
            if key == "slug":
                return _slugify(rng.choice(WORDS["noun"]))
            if key == "n":
                return str(rng.randint(10, 60))
            return rng.choice(WORDS[key])

        return re.sub(r"\{(\w+)\}", pick, template)

    def _sentence(self) -> str:
        text = self._fill(self.rng.choice(SENTENCES))
        return text[0].upper() + text[1:]

    def _title(self) -> str:
        rng = self.rng
        shapes = (
            "{adj} {plural} with KubeVirt",
            "How to {base} the {adj} {noun}",
            "KubeVirt v0.{n}: {adj} {plural} and {adj} {plural}",
            "{base} your {noun} {adv}",
            "Running {adj} {plural} {prep} Kubernetes",
            "A closer look at the {noun}",
            "KubeVirt Summit: {plural} {prep} the {noun}",
            "This week in KubeVirt #{n}",
        )
        text = self._fill(rng.choice(shapes))
        return text[0].upper() + text[1:]

    def paragraph(self, sentences: int) -> str:
        return " ".join(self.rng.choices(self.sentences, k=sentences))

    def heading(self) -> str:
        level = "##" if self.rng.random() < 0.6 else "###"
        return f"{level} {self.rng.choice(self.titles)}"

    def bullet_list(self) -> str:
        rng = self.rng
        items = rng.choices(self.sentences, k=rng.randint(3, 6))
        if rng.random() < 0.3:
            return "\n".join(f"{i}. {item}" for i, item in enumerate(items, 1))
        return "\n".join(f"- {item}" for item in items)

    def bash(self) -> str:
        lines = self.rng.choices(COMMANDS, k=self.rng.randint(1, 5))
        return "```bash\n" + "\n".join(f"$ {line}" for line in lines) + "\n```"

    def yaml(self, n: int) -> str:
        rng = self.rng
        return (
            "```yaml\napiVersion: kubevirt.io/v1\nkind: VirtualMachine\nmetadata:\n"
            f"  name: vm-{n}\n  labels:\n    kubevirt.io/os: {rng.choice(('fedora', 'cirros'))}\n"
            f"spec:\n  running: {rng.choice(('true', 'false'))}\n  template:\n    spec:\n"
            f"      domain:\n        cpu:\n          cores: {rng.randint(1, 8)}\n"
            "        resources:\n          requests:\n"
            f"            memory: {rng.choice((1, 2, 4))}Gi\n"
            "        devices:\n          disks:\n          - name: containerdisk\n"
            "            disk:\n              bus: virtio\n```"
        )

    def table(self) -> str:
        rng = self.rng
        rows = [
            f"| {rng.choice(WORDS['noun'])} | {rng.choice(WORDS['adj'])} | {rng.randint(1, 512)} |"
            for _ in range(rng.randint(3, 6))
        ]
        return "| component | state | count |\n|---|---|---|\n" + "\n".join(rows)

    def image(self, name: str) -> str:
        rng = self.rng
        alt = rng.choice(WORDS["noun"])
        file = f"{_slugify(alt)}-{rng.randint(1, 9)}.png"
        if rng.random() < 0.5:
            return f"![{alt}](/assets/{name}/{file})"
        return f'![{alt}](../assets/{name}/{file} "{alt} diagram")'

    def links(self) -> str:
        rng = self.rng
        noun = rng.choice(WORDS["noun"])
        return (
            f"{rng.choice(self.sentences)} Read more in the "
            f"[{noun} guide](/docs/{_slugify(noun)}/), on "
            f"[GitHub](https://github.com/kubevirt/kubevirt/issues/{rng.randint(100, 9999)}) "
            f"or in the [slides](../assets/slides/{_slugify(noun)}.pdf)."
        )

    def liquid_raw(self) -> str:
        if self.rng.random() < 0.5:
            return (
                "Print the phase with "
                "`kubectl get vmi testvm -o go-template={% raw %}'{{.status.phase}}'{% endraw %}`."
            )
        return (
            "{% raw %}\n```bash\nkubectl get vmis -o go-template='{{range .items}}"
            "{{.metadata.name}} {{.status}}{{end}}'\n```\n{% endraw %}"
        )

    def post_url(self, earlier: str) -> str:
        return f"As described in [an earlier post]({{% post_url {earlier} %}}), " + self.rng.choice(
            self.tails
        )


def body(writer: Writer, size: int, name: str, earlier: Sequence[str], n: int) -> str:
    rng = writer.rng
    parts = [writer.paragraph(rng.randint(2, 5))]
    length = len(parts[0])
    since_heading = 0
    while length < size:
        roll = rng.random()
        if since_heading > 3 and roll < 0.5:
            block = writer.heading()
            since_heading = 0
        elif roll < 0.45:
            block = writer.paragraph(rng.randint(3, 7))
        elif roll < 0.57:
            block = writer.bullet_list()
        elif roll < 0.67:
            block = writer.bash()
        elif roll < 0.71:
            block = writer.yaml(n)
        elif roll < 0.75:
            block = writer.table()
        elif roll < 0.81:
            block = writer.image(name)
        elif roll < 0.88:
            block = writer.links()
        elif roll < 0.91:
            block = writer.liquid_raw()
        elif roll < 0.94 and earlier:
            block = writer.post_url(earlier[rng.randrange(len(earlier))])
        else:
            block = writer.paragraph(rng.randint(2, 4))
        parts.append(block)
        length += len(block) + 2
        since_heading += 1
    return "\n\n".join(parts) + "\n"


def post_days(rng: random.Random, posts: int) -> list[dt.date]:
    """Sorted dates over ten years; several posts a day happen, the newest is alone."""
    span = (LAST_DAY - FIRST_DAY).days
    offsets = sorted(rng.randrange(span) for _ in range(max(posts - 1, 0)))
    if posts:
        offsets.append(span)
    return [FIRST_DAY + dt.timedelta(days=o) for o in offsets]


def generate(out: Path, posts: int, tags: int, seed: int = 1) -> list[str]:
    """Write the blog into `out`; return the post names (file stems), oldest first."""
    rng = random.Random(seed)
    writer = Writer(rng)
    names_pool = tag_names(tags)
    cum_weights = list(itertools.accumulate(1 / (rank + 1) for rank in range(len(names_pool))))
    author_weights = list(itertools.accumulate(AUTHOR_WEIGHTS))
    category_weights = list(itertools.accumulate(CATEGORY_WEIGHTS))
    out.mkdir(parents=True, exist_ok=True)
    names: list[str] = []
    taken: set[str] = set()
    for n, day in enumerate(post_days(rng, posts)):
        title = rng.choice(writer.titles)
        slug = "-".join(_slugify(title).split("-")[:7])
        name = f"{day:%Y-%m-%d}-{slug}"
        suffix = 2
        while name in taken:
            name = f"{day:%Y-%m-%d}-{slug}-{suffix}"
            suffix += 1
        taken.add(name)
        picked: list[str] = []
        seen: set[str] = set()
        if names_pool:
            k = rng.choices((1, 2, 3, 4, 5, 6), (10, 25, 25, 20, 12, 8))[0]
            for tag in rng.choices(names_pool, cum_weights=cum_weights, k=k):
                if tag.lower() not in seen:
                    seen.add(tag.lower())
                    picked.append(tag_variant(rng, tag))
        size = int(min(12000, max(1000, rng.lognormvariate(8.29, 0.5))))
        front = (
            "---\n"
            "layout: post\n"
            f"author: {yaml_text(rng.choices(AUTHORS, cum_weights=author_weights)[0])}\n"
            f"description: {yaml_text(writer.paragraph(1))}\n"
            "navbar_active: Blogs\n"
            f"category: {rng.choices(CATEGORIES, cum_weights=category_weights)[0]}\n"
            "comments: true\n"
            f"title: {yaml_text(title)}\n"
            f"pub-date: {pub_date(rng, day)}\n"
            f"pub-year: {day.year}\n"
            f"tags: [{', '.join(picked)}]\n"
            "---\n\n"
        )
        text = front + body(writer, size, name, names, n)
        with open(out / f"{name}.md", "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        names.append(name)
    return names


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Generate a deterministic Jekyll-style blog (see the module docstring)."
    )
    parser.add_argument("out", type=Path, help="folder to write the posts into (empty or new)")
    parser.add_argument("--posts", type=int, default=10000, help="number of posts")
    parser.add_argument("--tags", type=int, default=200, help="number of distinct tags")
    parser.add_argument("--seed", type=int, default=1, help="random seed")
    args = parser.parse_args(argv)
    if args.posts < 0 or args.tags < 0:
        parser.error("--posts and --tags must not be negative")
    if args.out.exists() and any(args.out.iterdir()):
        print(f"{args.out} is not empty: give a new or empty folder", file=sys.stderr)
        return 2
    generate(args.out, args.posts, args.tags, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
