"""Reading ``config.yaml``: YAML parsing, the Jekyll site's settings beneath it and the
dotted-key overrides above it, validation errors worded for the user (each names the
key, says what is allowed and suggests the key meant), relative paths resolved against
the config file's folder, and the checks that keep output, state and posts apart."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import yaml
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from feedwright.config.base import did_you_mean, known_keys
from feedwright.config.collections import jekyll_collection_errors
from feedwright.config.jekyll import jekyll_layer, open_site
from feedwright.config.model import Config
from feedwright.config.published import derived_feeds_url
from feedwright.config.sources import Source, merge_layer, origin_of, unflatten
from feedwright.config.values import check_no_control
from feedwright.errors import ConfigError

DEFAULT_CONFIG = Path("config.yaml")


def _loc(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(top level)"


def _explain(err: ErrorDetails, origins: Mapping[str, Source], jekyll_file: Path | None) -> str:
    loc = tuple(err["loc"])
    key = _loc(loc)
    kind = err["type"]
    if kind == "extra_forbidden":
        hint = did_you_mean(str(loc[-1]), known_keys(Config, loc))
        return (
            f"{key}: unknown key; remove it or check its spelling{hint} "
            "(see the README's configuration table)"
        )
    dotted = ".".join(str(p) for p in loc)
    if kind == "missing":
        where = ""
        if jekyll_file is not None and dotted.startswith("site."):
            where = f"; set it under site: here or as {loc[-1]} in {jekyll_file}"
        return f"{key}: required key is missing{where}"
    msg = str(err["msg"]).removeprefix("Value error, ")
    value = err.get("input")
    if kind.startswith("enum") or kind == "literal_error":
        msg = f"{msg}, got {value!r}"
    if jekyll_file is not None and origin_of(dotted, origins) is Source.JEKYLL:
        msg += f" (from {jekyll_file})"
    if not loc and kind == "value_error":
        return msg  # a check across keys: its message names them
    return f"{key}: {msg}"


def _resolve(base: Path, path: Path) -> Path:
    path = path.expanduser()
    return path if path.is_absolute() else (base / path)


def config_from_mapping(
    data: object,
    path: Path | None = None,
    *,
    origins: Mapping[str, Source] | None = None,
    jekyll_file: Path | None = None,
) -> Config:
    """Validate a parsed mapping; paths stay as written (see :func:`load_config`)."""
    if not isinstance(data, dict):
        raise ConfigError(path, ["(top level): must be a mapping of keys such as site:, posts:"])
    try:
        return Config.model_validate(data)
    except ValidationError as exc:
        problems = [_explain(e, origins or {}, jekyll_file) for e in exc.errors()]
        raise ConfigError(path, problems) from None


def _read(path: Path) -> object:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise ConfigError(
            path,
            ["file not found; create one with `feedwright init` (or name another with -c PATH)"],
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(path, [f"cannot read: {exc}"]) from None
    try:
        return yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        raise ConfigError(
            path, [f"{where}not valid YAML: {getattr(exc, 'problem', exc)}"]
        ) from None


def load_config(
    path: Path, overrides: Mapping[str, object] | None = None, *, missing_ok: bool = False
) -> Config:
    """Read, validate and resolve a config file. With ``jekyll:`` set, the Jekyll site's
    ``_config.yml`` gives the defaults; the file wins over it, and ``overrides`` (dotted
    keys) win over both. The config records where each value came from. ``missing_ok``:
    a file that is not there is an empty one (``build --jekyll SITE`` needs no file)."""
    data = {} if missing_ok and not path.exists() else _read(path)
    if not isinstance(data, dict):
        return config_from_mapping(data, path)
    base = path.resolve().parent
    above = unflatten(overrides or {})
    origins: dict[str, Source] = {}
    merged: dict[str, object] = {}
    jekyll_file: Path | None = None
    destination: Path | None = None
    site = None
    folder = above.get("jekyll", data.get("jekyll"))
    if isinstance(folder, str | Path) and str(folder):
        try:
            check_no_control(str(folder))
        except ValueError as exc:
            raise ConfigError(path, [f"jekyll: {exc}"]) from None
        site = open_site(_resolve(base, Path(folder)))
        jekyll_file = site.config_file or site.root
        destination = site.destination
        merged = merge_layer(merged, jekyll_layer(site), Source.JEKYLL, origins)
    merged = merge_layer(merged, data, Source.CONFIG, origins)
    merged = merge_layer(merged, above, Source.OVERRIDE, origins)
    config = config_from_mapping(merged, path, origins=origins, jekyll_file=jekyll_file)
    if site is not None:
        errors = jekyll_collection_errors(config.collections, site)
        if errors:
            raise ConfigError(path, errors)

    def resolve(value: Path | None) -> Path | None:
        return None if value is None else _resolve(base, value)

    resolved = config.model_copy(
        update={
            "posts": _resolve(base, config.posts),
            "output": _resolve(base, config.output),
            "state": _resolve(base, config.state),
            "source": resolve(config.source),
            "site_folder": resolve(config.site_folder),
            "jekyll": resolve(config.jekyll),
            "includes": resolve(config.includes),
            "collections": {
                name: spec.model_copy(
                    update={"folder": _resolve(base, spec.folder or Path(name))}
                    if site is None
                    else {}
                )
                for name, spec in config.collections.items()
            },
        }
    )
    checked = check_paths(resolved, path, destination=destination)
    feeds_url = derived_feeds_url(checked)
    if feeds_url is not None:
        checked = checked.model_copy(update={"feeds_url": feeds_url})
    return checked.with_origins(origins, base)


# Folders Jekyll never reads posts from (its destination is one of them by default).
_UNREAD_PREFIXES = ("_", ".", "#", "~")


def _jekyll_skips(posts: Path, output: Path) -> bool:
    """In Jekyll mode the output may be inside the site, in a folder Jekyll does not read."""
    first = output.relative_to(posts).parts[0]
    return first.startswith(_UNREAD_PREFIXES) and first not in ("_posts", "_drafts")


def check_paths(config: Config, path: Path | None, *, destination: Path | None = None) -> Config:
    """Keep state and the config file out of output, and output and posts apart. In
    Jekyll mode the output may be the site's ``destination`` or another folder inside the
    site that Jekyll does not read."""
    output = config.output.resolve()
    state = config.state.resolve()
    if path is not None and output in path.resolve().parents:
        raise ConfigError(
            path,
            [
                f"output: {config.output} holds this config file; everything in the output "
                "folder is published, so the config file would be too: set output: to a "
                "folder of its own, such as output: feeds"
            ],
        )
    if state == output or output in state.parents:
        raise ConfigError(
            path,
            [
                f"state: {config.state} is inside output {config.output}; the state folder holds "
                "private cache and lock files and must never be published: move it out"
            ],
        )
    posts = config.posts.resolve()
    inside = posts in output.parents
    if inside and config.jekyll is not None:
        built = None if destination is None else destination.resolve()
        in_built = built is not None and (output == built or built in output.parents)
        inside = not in_built and not _jekyll_skips(posts, output)
    if posts == output or output in posts.parents or inside:
        raise ConfigError(
            path, [f"output: {config.output} overlaps posts: {config.posts}; keep them apart"]
        )
    taken: list[tuple[str, Path]] = [("output", output), ("posts", posts)]
    for name, spec in config.collections.items():
        if spec.folder is None:  # Jekyll mode: the site's own folder
            continue
        folder = spec.folder.resolve()
        for what, other in taken:  # one file read as two documents, or as a post too
            if other == folder or other in folder.parents or folder in other.parents:
                raise ConfigError(
                    path,
                    [
                        f"collections.{name}.folder: {spec.folder} overlaps {what}: {other}; "
                        "give the collection a folder of its own"
                    ],
                )
        taken.append((f"collections.{name}.folder", folder))
    return config


def known_folders(path: Path, overrides: Mapping[str, object] | None = None) -> tuple[Path, Path]:
    """The output and state folders a config names, as far as they can be read from a
    config that does not validate: the overrides, then the file's own ``output:`` and
    ``state:``, then the defaults, resolved like :func:`load_config` does. Raises
    :class:`ConfigError` when the file cannot be read as a YAML mapping, or a folder is
    not text: then no state folder is known."""
    data = _read(path)
    if not isinstance(data, dict):
        raise ConfigError(path, ["(top level): must be a mapping of keys such as site:, posts:"])
    base = path.resolve().parent
    above = unflatten(overrides or {})
    found: list[Path] = []
    for key, default in (
        ("output", Config.model_fields["output"].default),
        ("state", Config.model_fields["state"].default),
    ):
        value = above.get(key, data.get(key, default))
        if not isinstance(value, str | Path) or not str(value):
            raise ConfigError(path, [f"{key}: must be a folder"])
        try:
            check_no_control(str(value))
        except ValueError as exc:
            raise ConfigError(path, [f"{key}: {exc}"]) from None
        found.append(_resolve(base, Path(value)))
    output, state = found
    if state.resolve() == output.resolve() or output.resolve() in state.resolve().parents:
        raise ConfigError(path, [f"state: {state} is inside output {output}"])
    return output, state
