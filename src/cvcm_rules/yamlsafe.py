"""Safe YAML loading that keeps line/column positions and refuses duplicate keys.

Used for rule packs (positions feed ``file:line:col`` messages) and dossiers. Only plain data is
built (mappings, lists, strings, numbers, booleans, null): no tags, no Python objects, and
timestamps stay strings so that the schema, not YAML, decides what a valid date is.
"""

from __future__ import annotations

from typing import Any

import yaml

__all__ = ["Positions", "YamlSyntaxError", "load_yaml"]

Positions = dict[tuple[str | int, ...], tuple[int, int]]

try:
    _BaseLoader: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment]
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _BaseLoader = yaml.SafeLoader


class _Loader(_BaseLoader):  # type: ignore[valid-type,misc]
    """SafeLoader without the implicit timestamp type."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

_ALLOWED_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "map", "seq")
)


class YamlSyntaxError(Exception):
    """A YAML problem at a position (1-based line and column)."""

    def __init__(self, line: int, column: int, reason: str) -> None:
        self.line = line
        self.column = column
        self.reason = reason
        super().__init__(f"{line}:{column}: {reason}")


def load_yaml(text: str) -> tuple[Any, Positions]:
    """Parse one YAML document into plain data and a map from data path to (line, column).

    A path is a tuple of keys and list indexes; ``path + ("<key>",)`` holds the position of a
    mapping key itself, so that an unknown key can be pointed at exactly.

    Raises:
        YamlSyntaxError: syntax errors, duplicate keys, anchors/tags that plain data cannot hold.
    """
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise YamlSyntaxError(line, column, f"invalid YAML: {err.problem}") from None
    except yaml.YAMLError as err:
        raise YamlSyntaxError(1, 1, f"invalid YAML: {err}") from None
    positions: Positions = {}
    if node is None:
        return None, positions
    constructor = _Loader("")
    return _build(node, (), positions, constructor), positions


def _build(node: yaml.Node, path: tuple[str | int, ...], positions: Positions,
           constructor: Any) -> Any:
    positions[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if node.tag not in _ALLOWED_TAGS:
        raise YamlSyntaxError(node.start_mark.line + 1, node.start_mark.column + 1,
                          f"unsupported YAML tag {node.tag!r}")
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = _build(key_node, (*path, "<key>"), {}, constructor)
            where = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            if not isinstance(key, str | int | float | bool) or isinstance(key, bool):
                raise YamlSyntaxError(*where, f"mapping keys must be strings, got {key!r}")
            key = str(key)
            if key in result:
                raise YamlSyntaxError(*where, f"duplicate key {key!r}")
            positions[(*path, key, "<key>")] = where
            result[key] = _build(value_node, (*path, key), positions, constructor)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, (*path, i), positions, constructor)
                for i, item in enumerate(node.value)]
    return constructor.construct_object(node)
