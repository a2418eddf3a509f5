"""The keys of ``config.yaml`` as the config model defines them, and their values as YAML."""

from __future__ import annotations

import datetime as dt
import types
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum
from pathlib import PurePath
from typing import Annotated, Union, get_args, get_origin

import yaml
from pydantic import BaseModel

from feedwright.config import Config


@dataclass(frozen=True)
class ModelKey:
    """One key of ``config.yaml``: its dotted path, and whether it holds more keys."""

    dotted: str
    section: bool
    required: bool

    @property
    def name(self) -> str:
        return self.dotted.rsplit(".", 1)[-1]

    @property
    def depth(self) -> int:
        return self.dotted.count(".")


def _models(annotation: object) -> list[type[BaseModel]]:
    origin = get_origin(annotation)
    if origin is Annotated:
        return _models(get_args(annotation)[0])
    if origin is Union or origin is types.UnionType:
        return [m for arg in get_args(annotation) for m in _models(arg)]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return []


def model_keys(model: type[BaseModel] = Config, prefix: str = "") -> Iterator[ModelKey]:
    """Every key in the order the model declares it, each section before its keys."""
    for name, info in model.model_fields.items():
        dotted = prefix + (info.alias or name)
        # an optional section that is off by default (podcast: null) is one key: its own
        # keys have no default to show (docs/ describes them)
        off = info.default is None and not info.is_required()
        inner = [] if off else _models(info.annotation)
        yield ModelKey(dotted, section=bool(inner), required=info.is_required())
        for sub in inner:
            yield from model_keys(sub, dotted + ".")


def plain(value: object) -> object:
    """A setting's value as plain YAML data: paths and dates as text, enums as their value."""
    if isinstance(value, Enum):
        return plain(value.value)
    if isinstance(value, PurePath):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def yaml_value(value: object) -> str:
    """A value as one line of YAML (flow style), as it would be written after ``key:``."""
    text = yaml.safe_dump(
        plain(value), default_flow_style=True, allow_unicode=True, width=1_000_000
    )
    return text.removesuffix("\n").removesuffix("\n...").strip()


def lookup(data: object, dotted: str) -> object:
    """The value at a dotted key of nested mappings (KeyError when absent)."""
    for part in dotted.split("."):
        if not isinstance(data, dict):
            raise KeyError(dotted)
        data = data[part]
    return data
