"""Reading ``config.yaml``: YAML parsing, dotted-key overrides, validation errors worded
for the user (each names the key and says what is allowed), relative paths resolved
against the config file's folder, and the checks that keep output, state and posts
apart."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import yaml
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from feedwright.config.model import Config
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


def _explain(err: ErrorDetails) -> str:
    key = _loc(tuple(err["loc"]))
    kind = err["type"]
    if kind == "extra_forbidden":
        return (
            f"{key}: unknown key; remove it or check its spelling "
            "(see the README's configuration table)"
        )
    if kind == "missing":
        return f"{key}: required key is missing"
    msg = str(err["msg"]).removeprefix("Value error, ")
    value = err.get("input")
    if kind.startswith("enum") or kind == "literal_error":
        return f"{key}: {msg}, got {value!r}"
    return f"{key}: {msg}"


def _resolve(base: Path, path: Path) -> Path:
    path = path.expanduser()
    return path if path.is_absolute() else (base / path)


def config_from_mapping(data: object, path: Path | None = None) -> Config:
    """Validate a parsed mapping; paths stay as written (see :func:`load_config`)."""
    if not isinstance(data, dict):
        raise ConfigError(path, ["(top level): must be a mapping of keys such as site:, posts:"])
    try:
        return Config.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(path, [_explain(e) for e in exc.errors()]) from None


def load_config(path: Path, overrides: Mapping[str, object] | None = None) -> Config:
    """Read, validate and resolve a config file; ``overrides`` (dotted keys) win over it."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise ConfigError(path, ["file not found; pass -c PATH to name your config file"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(path, [f"cannot read: {exc}"]) from None
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        raise ConfigError(
            path, [f"{where}not valid YAML: {getattr(exc, 'problem', exc)}"]
        ) from None
    if isinstance(data, dict):
        for dotted, value in (overrides or {}).items():
            node = data
            *parents, last = dotted.split(".")
            for part in parents:
                child = node.get(part)
                if not isinstance(child, dict):
                    child = {}
                    node[part] = child
                node = child
            node[last] = value
    config = config_from_mapping(data, path)
    base = path.resolve().parent
    resolved = config.model_copy(
        update={
            "posts": _resolve(base, config.posts),
            "output": _resolve(base, config.output),
            "state": _resolve(base, config.state),
            "source": None if config.source is None else _resolve(base, config.source),
            "jekyll": None if config.jekyll is None else _resolve(base, config.jekyll),
        }
    )
    return check_paths(resolved, path)


def check_paths(config: Config, path: Path | None) -> Config:
    output = config.output.resolve()
    state = config.state.resolve()
    if state == output or output in state.parents:
        raise ConfigError(
            path,
            [
                f"state: {config.state} is inside output {config.output}; the state folder holds "
                "private cache and lock files and must never be published: move it out"
            ],
        )
    posts = config.posts.resolve()
    if posts == output or output in posts.parents or posts in output.parents:
        raise ConfigError(
            path, [f"output: {config.output} overlaps posts: {config.posts}; keep them apart"]
        )
    return config
