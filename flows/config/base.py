"""What every configuration model shares: strict scalar types, bounds on numbers, unknown
keys refused, and pydantic's errors turned into one line naming the file and the key
(`pactwatch.toml: [fetch].retries must be between 0 and 10, got -1`)."""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Strict,
    ValidationError,
    ValidatorFunctionWrapHandler,
    WrapValidator,
)

# TOML has its own types: no string is read as a number, no number as a bool, and an int is
# a number wherever a float is (`timeout_seconds = 10`).
Str = Annotated[str, Strict()]
Int = Annotated[int, Strict()]
Num = Annotated[float, Strict()]
Bool = Annotated[bool, Strict()]


class ConfigError(ValueError):
    """A bad config; the message names the file and the key."""


class KeyProblem(ValueError):
    """Raised by a validator to name the key it is about (a model-wide check), or the whole
    place (`at`: "[[feeds]]") when the key path would not say it."""

    def __init__(self, key: str, message: str, at: str | None = None) -> None:
        super().__init__(message)
        self.key, self.at = key, at


@dataclass(frozen=True)
class Bounds:
    """The closed range a number must fall in; read by the error messages and the README
    check (every number a config may hold has one)."""

    low: float
    high: float

    def __call__(self, value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        checked = handler(value)       # the type first; the message quotes what was written
        if not self.low <= checked <= self.high:
            raise ValueError(f"must be between {_number(self.low)} and {_number(self.high)}, "
                             f"got {value!r}")
        return checked


def _number(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def between(kind: Any, low: float, high: float) -> Any:
    """`kind` (Int or Num) bounded to [low, high]."""
    bounds = Bounds(low, high)
    return Annotated[kind, bounds, WrapValidator(bounds)]


def non_empty(value: str) -> str:
    """Refuse a blank string (a name, a list item)."""
    if not value.strip():
        raise ValueError("must not be empty")
    return value


Text = Annotated[str, Strict(), AfterValidator(non_empty)]
Words = tuple[Text, ...]


class Table(BaseModel):
    """A TOML table: unknown keys refused, values immutable once read."""

    model_config = ConfigDict(extra="forbid", frozen=True)


M = TypeVar("M", bound=BaseModel)

KINDS = {"int_type": "int", "int_parsing": "int", "int_from_float": "int",
         "float_type": "number", "float_parsing": "number", "bool_type": "bool",
         "bool_parsing": "bool", "string_type": "str", "list_type": "list",
         "tuple_type": "list", "dict_type": "a table", "model_type": "a table",
         "model_attributes_type": "a table"}


def read(model: type[M], data: Any, file: Path | str, where: tuple[str | int, ...] = (),
         context: dict[str, Any] | None = None) -> M:
    """`data` validated as `model`, found at `where` in `file`. Raises ConfigError naming
    the file and the key of the first problem."""
    try:
        return model.model_validate(data, context=context)
    except ValidationError as exc:
        raise ConfigError(describe(model, exc.errors()[0], file, where)) from None


def describe(model: type[BaseModel], error: Any, file: Path | str,
             where: tuple[str | int, ...] = ()) -> str:
    """One pydantic error as `file: [table].key message`."""
    loc = (*where, *error["loc"])
    kind, value = error["type"], error.get("input")
    if kind == "value_error":
        problem = error["ctx"]["error"]
        if isinstance(problem, KeyProblem) and problem.at:
            return f"{file}: {problem.at} {problem}"
        if isinstance(problem, KeyProblem):
            loc = (*loc, problem.key)
        message = str(problem)
    elif kind == "missing":
        message = "is required"
    elif kind == "extra_forbidden":
        allowed = ", ".join(sorted(_fields(model, error["loc"][:-1])))
        message = f"unknown key (allowed: {allowed})"
    elif kind in KINDS:
        shown = type(value).__name__ if KINDS[kind] == "a table" else repr(value)
        message = f"must be {KINDS[kind]}, got {shown}"
    else:
        message = f"{error['msg'][0].lower()}{error['msg'][1:]}, got {value!r}"
    return f"{file}: {place(loc)} {message}"


def place(loc: tuple[str | int, ...]) -> str:
    """("feeds", 0, "url") → "[feeds[0]].url"; ("warehouse",) → "[warehouse]"."""
    names = [i for i, part in enumerate(loc) if isinstance(part, str)]
    if not names:
        return "top level"
    last = names[-1]

    def spell(parts: tuple[str | int, ...]) -> str:
        return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in parts).lstrip(".")

    if last == 0:
        return f"[{spell(loc)}]"
    return f"[{spell(loc[:last])}].{spell(loc[last:])}"


def _fields(model: type[BaseModel], loc: tuple[str | int, ...]) -> list[str]:
    """The keys allowed at `loc` inside `model` (for "unknown key" messages)."""
    current: Any = model
    for part in loc:
        if isinstance(current, type) and issubclass(current, BaseModel) and isinstance(part, str):
            current = current.model_fields[part].annotation
        current = _inner(current)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return [f.alias or name for name, f in current.model_fields.items()]
    return []


def _inner(annotation: Any) -> Any:
    """The model inside Optional[...], tuple[...], list[...] or dict[str, ...], if any."""
    for arg in (typing.get_args(annotation) if not isinstance(annotation, type) else ()):
        found = _inner(arg) if not isinstance(arg, type) else arg
        if isinstance(found, type) and issubclass(found, BaseModel):
            return found
    if isinstance(annotation, types.UnionType):
        return next((a for a in annotation.__args__ if isinstance(a, type)
                     and issubclass(a, BaseModel)), annotation)
    return annotation
