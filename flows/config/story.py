"""The story's files: read once, validated, merged, and handed down as `extractors.story.Story`.

The built-in story (the pact) is a folder of TOML files, each holding part of one `[story]`
table (`story_pact/story.toml`: the sides, keywords and aliases; `framing.toml`: the
framing, tone and stance words; `matching.toml`: synonyms and units), plus the prototype
sentences those name (`prototypes = "frame_prototypes.toml"`, beside the file that names
them). A config's `[story]` is read on top of it: a key given there replaces the
built-in one (inside `framing`, `tone` and `matching` key by key), `[[story.aliases]]` are
added to the built-in aliases, and `[story.extend]` adds to the lists and tables (keywords,
a group's names, a frame's lexicon, synonyms…) instead of replacing them.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, Field, RootModel

from extractors.framing import FRAMES
from extractors.story import Alias, FramingWords, MatchingWords, Story, ToneWords
from extractors.tone import CLASSES
from flows.config.base import ConfigError, KeyProblem, Num, Str, Table, Text, Words, between, read

BUILTIN = "story_pact"      # the built-in story's folder, beside this module


def _known_frames(frames: dict[str, Any]) -> dict[str, Any]:
    for name in frames:
        if name not in FRAMES:
            raise KeyProblem(name, "is not a frame of the Policy Frames Codebook "
                                   f"(frames: {', '.join(FRAMES)})")
    return frames


Frames = Annotated[dict[Str, Words], AfterValidator(_known_frames)]


class AliasModel(Table):
    canonical: Text
    label: Str = "ORG"
    forms: Words = ()
    place: Str | None = None


class FramingModel(Table):
    """`[story.framing]`: see extractors.story.FramingWords."""

    frames: Frames | None = None
    positive: Words | None = None
    negative: Words | None = None
    relation: Words | None = None
    actors: dict[Str, Words] | None = None
    sides: Words | None = None
    prototypes: Text | None = None       # a file, relative to the file that names it


class ToneModel(Table):
    """`[story.tone]`: see extractors.story.ToneWords."""

    sides: tuple[Words, ...] | None = None
    relation: Words | None = None
    prototypes: Text | None = None


class MatchingModel(Table):
    """`[story.matching]`: see extractors.story.MatchingWords."""

    synonyms: dict[Str, Text] | None = None
    units: dict[Str, Text] | None = None


class FramingExtend(Table):
    frames: Frames = Field(default_factory=dict)
    positive: Words = ()
    negative: Words = ()
    relation: Words = ()
    actors: dict[Str, Words] = Field(default_factory=dict)
    sides: Words = ()


class ToneExtend(Table):
    relation: Words = ()


class MatchingExtend(Table):
    synonyms: dict[Str, Text] = Field(default_factory=dict)
    units: dict[Str, Text] = Field(default_factory=dict)


class StoryExtend(Table):
    """`[story.extend]`: added to the story's lists and tables rather than replacing them."""

    keywords: Words = ()
    indirect: Words = ()
    languages: Words = ()
    groups: dict[Str, Words] = Field(default_factory=dict)
    framing: FramingExtend = FramingExtend()
    tone: ToneExtend = ToneExtend()
    matching: MatchingExtend = MatchingExtend()


class StoryModel(Table):
    """One layer of `[story]`: the built-in files', or a config's on top of them."""

    name: Text | None = None
    keywords: Words | None = None
    indirect: Words | None = None
    threshold: between(Num, 0, 1) | None = None  # type: ignore[valid-type]
    languages: Words | None = None
    groups: dict[Str, Words] | None = None
    aliases: tuple[AliasModel, ...] = ()
    framing: FramingModel = FramingModel()
    tone: ToneModel = ToneModel()
    matching: MatchingModel = MatchingModel()
    extend: StoryExtend = StoryExtend()


class PrototypeClass(Table):
    definition: Text
    sentences: Words


class PrototypesFile(RootModel[dict[Str, PrototypeClass]]):
    """A prototypes file: one table per class (frame or tone class)."""


SUBTABLES = ("framing", "tone", "matching")


def _layer(model: StoryModel, folder: Path) -> dict[str, Any]:
    """The keys a layer gives, prototype files resolved against its folder."""
    out = model.model_dump(exclude_none=True, exclude={"extend", "aliases"})
    for sub in ("framing", "tone"):
        if "prototypes" in out.get(sub, {}):
            out[sub]["prototypes"] = folder / out[sub]["prototypes"]
    return out


def _extend(merged: dict[str, Any], extra: Mapping[str, Any]) -> None:
    """Add `extra`'s lists and tables to `merged`'s (in place)."""
    for key, add in extra.items():
        if key in SUBTABLES:
            _extend(merged.setdefault(key, {}), add)
        elif isinstance(add, dict):
            table = dict(merged.get(key, {}))
            for name, value in add.items():
                table[name] = (tuple(dict.fromkeys((*table.get(name, ()), *value)))
                               if isinstance(value, tuple) else value)
            merged[key] = table
        elif add:
            merged[key] = tuple(dict.fromkeys((*merged.get(key, ()), *add)))


def merge(layers: Iterable[tuple[StoryModel, Path]]) -> tuple[dict[str, Any], tuple[Alias, ...]]:
    """The story's keys, each layer on top of the one before (key by key inside the
    sub-tables), with each layer's `extend` applied after it; the aliases of every layer."""
    merged: dict[str, Any] = {sub: {} for sub in SUBTABLES}
    aliases: list[Alias] = []
    for model, folder in layers:
        for key, value in _layer(model, folder).items():
            if key in SUBTABLES:
                merged[key].update(value)
            else:
                merged[key] = value
        _extend(merged, model.extend.model_dump())
        aliases += [Alias(a.canonical, a.label, a.forms, a.place) for a in model.aliases]
    return merged, tuple(aliases)


def _prototypes(path: Path | None, order: tuple[str, ...], what: str, file: Path
                ) -> dict[str, tuple[str, ...]]:
    """Class → definition and sentences, from `path`, in `order`; ConfigError when the
    file is missing or its classes are not `order`'s."""
    if path is None:
        return {}
    data = read(PrototypesFile, _toml(path), path).root
    if set(data) != set(order):
        raise ConfigError(f"{path}: {what} prototypes must be given for exactly "
                          f"{', '.join(order)}; got {', '.join(data) or 'none'}")
    return {name: (data[name].definition, *data[name].sentences) for name in order}


def _toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None


def build(merged: Mapping[str, Any], aliases: tuple[Alias, ...], file: Path) -> Story:
    """The Story of the merged keys. Raises ConfigError naming `file` (the last layer) when
    the keys do not make a story (no name, stance sides that are not actors)."""
    if "name" not in merged:
        raise ConfigError(f"{file}: [story].name is required")
    f, t, m = merged["framing"], merged["tone"], merged["matching"]
    actors = f.get("actors", {})
    for side in f.get("sides", ()):
        if side not in actors:
            raise ConfigError(f"{file}: [story.framing].sides names {side!r}, which is not "
                              f"one of [story.framing.actors] ({', '.join(actors) or 'none'})")
    framing = FramingWords(
        frames=f.get("frames", {}), positive=f.get("positive", ()),
        negative=f.get("negative", ()), relation=f.get("relation", ()), actors=actors,
        sides=f.get("sides", ()),
        prototypes=_prototypes(f.get("prototypes"), FRAMES, "frame", file))
    tone = ToneWords(sides=t.get("sides", ()), relation=t.get("relation", ()),
                     prototypes=_prototypes(t.get("prototypes"), CLASSES, "tone", file))
    return Story(
        name=merged["name"], keywords=merged.get("keywords", ()),
        groups=dict(merged.get("groups", {})), threshold=merged.get("threshold", 0.5),
        indirect=merged.get("indirect", ()),
        languages=tuple(x.strip().lower() for x in merged.get("languages", ("en",))),
        aliases=aliases, framing=framing, tone=tone,
        matching=MatchingWords(synonyms={**_name_forms(aliases), **m.get("synonyms", {})},
                               units=m.get("units", {})))


def _name_forms(aliases: tuple[Alias, ...]) -> dict[str, str]:
    """The aliases' forms for matching: "@form" → "@canonical", lower case (a later alias
    overrides an earlier one), so "Washington" and "the US" name one source."""
    return {f"@{form.lower()}": f"@{a.canonical.lower()}"
            for a in aliases for form in (*a.forms, a.place or "") if form}


def builtin_files() -> list[Path]:
    """The built-in story's files that hold part of its [story] table, in reading order."""
    folder = Path(str(resources.files("flows.config") / BUILTIN))
    return sorted(p for p in folder.glob("*.toml") if "story" in _toml(p))


def builtin_layers() -> list[tuple[StoryModel, Path]]:
    """The built-in story's layers, validated (a broken file names itself)."""
    out = []
    for path in builtin_files():
        data = _toml(path)
        unknown = set(data) - {"story"}
        if unknown:
            raise ConfigError(f"{path}: [{sorted(unknown)[0]}] unknown key (allowed: story)")
        out.append((read(StoryModel, data["story"], path, ("story",)), path.parent))
    return out


def load_story(user: StoryModel | None, file: Path) -> Story:
    """The story a config gets: the built-in one with the config's validated `[story]`
    (`user`, None when absent) on top. Raises ConfigError naming the file and the key."""
    layers = builtin_layers()
    if user is not None:
        layers.append((user, file.parent))
    merged, aliases = merge(layers)
    return build(merged, aliases, file)


def builtin_story() -> Story:
    """The story shipped with pactwatch (the treaty), as a config without [story] gets it."""
    return load_story(None, Path("<built-in story>"))

