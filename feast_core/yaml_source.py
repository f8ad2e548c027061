"""The text of feature_store.yaml before it becomes a config: ``${VAR}`` references and where each key is.

Feast runs ``os.path.expandvars`` over the whole text, so an unset variable stays in as literal text (a
directory named ``${DATA_DIR}``, a password ``${PG_PASSWORD}``). Here a ``${VAR}`` that is unset is an error
naming the variable and the line and key where it is used, with POSIX defaults as the way out:
``${VAR:-default}`` (unset or empty) and ``${VAR-default}`` (unset only). References in comments are left
alone, and a bare ``$VAR`` is never expanded: a password such as ``pa$HOME`` must survive.
"""

from __future__ import annotations

import os
import re

import yaml

from .errors import ConfigError

REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^}]*))?\}")

KeyPath = tuple  # of str (mapping keys) and int (sequence indexes)


class YamlSource:
    """One feature_store.yaml text, with the position of every key and scalar in it."""

    def __init__(self, text: str, source: str = "<string>") -> None:
        self.text = text
        self.source = source
        self._key_lines: dict[KeyPath, int] = {}
        self._scalars: list[tuple[int, int, KeyPath]] = []  # (start, end, path) of each key and value
        try:
            root = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.YAMLError:
            root = None  # reported when the (expanded) text is parsed
        if root is not None:
            self._walk(root, ())

    def _walk(self, node: yaml.Node, path: KeyPath) -> None:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                child = (*path, key.value if isinstance(key, yaml.ScalarNode) else str(key.start_mark.line))
                self._key_lines.setdefault(child, key.start_mark.line + 1)
                self._walk(key, child)
                self._walk(value, child)
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                self._walk(item, (*path, index))
        elif isinstance(node, yaml.ScalarNode):
            self._scalars.append((node.start_mark.index, node.end_mark.index, path))

    def line_of(self, path: KeyPath) -> int | None:
        """The line (1-based) of the key at ``path``, or of its nearest enclosing key."""
        while path:
            line = self._key_lines.get(tuple(path))
            if line is not None:
                return line
            path = path[:-1]
        return None

    def _path_at(self, offset: int) -> KeyPath | None:
        for start, end, path in self._scalars:
            if start <= offset < end:
                return path
        return None

    def expanded(self) -> str:
        """The text with every ``${VAR}`` replaced; a ConfigError naming each unset variable and where it is used."""
        unset: list[str] = []

        def replace(match: re.Match) -> str:
            name, operator, default = match.group(1), match.group(2), match.group(3)
            value = os.environ.get(name)
            if operator == ":-" and not value:
                return default
            if operator == "-" and value is None:
                return default
            if value is not None:
                return value
            path = self._path_at(match.start())
            if path is None and self._scalars:
                return match.group(0)  # in a comment: nothing reads it
            line = self.text.count("\n", 0, match.start()) + 1
            where = f"line {line}, {format_path(path)}" if path else f"line {line}"
            unset.append(f"environment variable {name} is not set ({where})")
            return match.group(0)

        text = REFERENCE.sub(replace, self.text)
        if unset:
            raise ConfigError(
                f"{self.source}: " + "; ".join(unset)
                + ". Set it, or give a default as ${VAR:-default}."
            )
        return text


def format_path(path: KeyPath) -> str:
    """``("online_store", "path")`` -> ``online_store.path``; list items as ``[i]``."""
    return "".join(f"[{p}]" if isinstance(p, int) else (f".{p}" if i else str(p)) for i, p in enumerate(path))

