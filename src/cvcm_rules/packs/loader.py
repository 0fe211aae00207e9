"""Load a rule pack from its folder, check everything, compile every expression.

All problems are gathered and reported at once as ``file:line:col: code: message``: a pack author
should fix a pack in one pass, not one error per run.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from cvcm_rules.errors import ExpressionError, PackError, PackProblem, UnknownPackError
from cvcm_rules.expr import (
    ANY,
    BOOL,
    DATE,
    NUMBER,
    STRING,
    Compiled,
    ListType,
    Node,
    ObjectType,
    Scope,
    Type,
    compile_expression,
    parse,
    path_text,
)
from cvcm_rules.expr import nodes as ast
from cvcm_rules.expr.functions import strict_date
from cvcm_rules.packs._types import dossier_type
from cvcm_rules.packs.compiled import (
    CompiledParameter,
    EvidencePath,
    Message,
    Pack,
    Rule,
    RuleExpressions,
)
from cvcm_rules.packs.schema import Manifest, RuleFile, RuleSpec
from cvcm_rules.yamlsafe import Positions, YamlSyntaxError, load_yaml

__all__ = ["available_packs", "default_rules_dir", "load_pack", "resolve_pack_dir"]

_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")
_FOR_EACH = re.compile(r"^\s*([A-Za-z][A-Za-z0-9_]*)\s+in\s+(.+)$", re.DOTALL)
_RESERVED = frozenset({"params", "as_of"})
_M = TypeVar("_M", bound=BaseModel)


def default_rules_dir() -> Path:
    """Where packs live: ``$CVCM_RULES_DIR``, else ``./rules``, else the checkout's ``rules/``."""
    configured = os.environ.get("CVCM_RULES_DIR")
    if configured:
        return Path(configured)
    local = Path("rules")
    if (local / "ccer" / "pack.yaml").is_file():
        return local
    return Path(__file__).resolve().parents[3] / "rules"


def available_packs(rules_dir: Path | None = None) -> list[Path]:
    """Pack folders (those with a ``pack.yaml``) under the rules directory, sorted by id."""
    root = rules_dir or default_rules_dir()
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if (p / "pack.yaml").is_file())


def resolve_pack_dir(pack: str | Path, rules_dir: Path | None = None) -> Path:
    """A pack given by id (``ccer``) or by folder path.

    Raises:
        UnknownPackError: naming the known packs.
    """
    candidate = Path(pack)
    if (candidate / "pack.yaml").is_file():
        return candidate
    root = rules_dir or default_rules_dir()
    by_id = root / str(pack)
    if (by_id / "pack.yaml").is_file():
        return by_id
    known = ", ".join(p.name for p in available_packs(root)) or "none"
    raise UnknownPackError(f"unknown rule pack {str(pack)!r} (known packs: {known})")


def load_pack(pack: str | Path, rules_dir: Path | None = None) -> Pack:
    """Load and compile one pack.

    Raises:
        UnknownPackError: the pack does not exist.
        PackError: every problem found, each with file, line and column.
    """
    folder = resolve_pack_dir(pack, rules_dir)
    return _PackLoader(folder, rules_dir).load()


class _PackLoader:
    def __init__(self, folder: Path, rules_dir: Path | None) -> None:
        self.folder = folder
        self.rules_dir = rules_dir or folder.parent
        self.problems: list[PackProblem] = []
        self.digest = hashlib.sha256()

    def problem(self, file: str, where: tuple[int, int], code: str, message: str) -> None:
        self.problems.append(PackProblem(file, where[0], where[1], code, message))

    def load(self) -> Pack:
        manifest = self.load_manifest()
        rules: list[Rule] = []
        seen: dict[str, str] = {}
        for file in sorted((self.folder / "rules").glob("*.yaml")):
            for rule in self.load_rule_file(file, manifest):
                if rule.id in seen:
                    self.problem(rule.file, (rule.line, 1), "duplicate-rule-id",
                                 f"rule id {rule.id!r} is already defined in {seen[rule.id]}")
                    continue
                seen[rule.id] = rule.file
                rules.append(rule)
        if manifest is not None:
            rules = self.adopt(manifest, rules, seen)
        if self.problems or manifest is None:
            raise PackError(str(self.folder), self.problems)
        rules.sort(key=lambda r: r.id)
        return Pack(manifest, tuple(rules), self.folder, self.digest.hexdigest())

    # -- files -----------------------------------------------------------------------------
    def read(self, file: Path) -> tuple[str, Any, Positions] | None:
        name = self.display(file)
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            self.problem(name, (1, 1), "unreadable-file", str(err))
            return None
        self.digest.update(name.encode() + b"\0" + text.encode() + b"\0")
        try:
            data, positions = load_yaml(text)
        except YamlSyntaxError as err:
            self.problem(name, (err.line, err.column), "yaml-syntax", err.reason)
            return None
        return text, data, positions

    def display(self, file: Path) -> str:
        try:
            return str(file.relative_to(self.folder.parent))
        except ValueError:
            return str(file)

    def validate(self, model: type[_M], data: Any, positions: Positions,
                 file: str, at: tuple[str | int, ...] = ()) -> _M | None:
        try:
            return model.model_validate(data)
        except ValidationError as err:
            for error in err.errors():
                loc = at + tuple(error["loc"])
                where = _position(positions, loc, key=error["type"] == "extra_forbidden")
                code = "unknown-key" if error["type"] == "extra_forbidden" else "schema"
                dotted = ".".join(str(part) for part in loc) or "(document)"
                self.problem(file, where, code, f"{dotted}: {error['msg']}")
            return None

    def load_manifest(self) -> Manifest | None:
        file = self.folder / "pack.yaml"
        loaded = self.read(file)
        if loaded is None:
            return None
        _, data, positions = loaded
        manifest = self.validate(Manifest, data, positions, self.display(file))
        # A folder is named by its pack id, or ``<id>-<tag>`` for another version of the same
        # pack (``ccer-2012``); packs/versions.py picks among versions by date.
        if manifest is not None and self.folder.name != manifest.id and \
                not self.folder.name.startswith(f"{manifest.id}-"):
            self.problem(self.display(file), positions.get(("id",), (1, 1)), "pack-id-mismatch",
                         f"pack id {manifest.id!r} differs from its folder {self.folder.name!r}")
        return manifest

    def load_rule_file(self, file: Path, manifest: Manifest | None) -> Iterator[Rule]:
        loaded = self.read(file)
        if loaded is None:
            return
        text, data, positions = loaded
        name = self.display(file)
        for index, spec in self.rule_specs(data, positions, name):
            if manifest is None:
                continue
            compiler = _RuleCompiler(self, name, text, positions, ("rules", index), manifest)
            rule = compiler.compile(spec)
            if rule is not None:
                yield rule

    def rule_specs(self, data: Any, positions: Positions,
                   name: str) -> Iterator[tuple[int, RuleSpec]]:
        """Each valid rule of a file with its index; every invalid rule reports its own problems.

        Rules are validated one by one, so a schema error in one rule does not hide the
        expression errors of its siblings: the author sees every problem in one run.
        """
        rules = data.get("rules") if isinstance(data, dict) else None
        if not isinstance(rules, list):
            self.validate(RuleFile, data, positions, name)  # reports the file's shape problem
            return
        self.validate(RuleFile, {**data, "rules": []}, positions, name)  # other top-level keys
        for index, item in enumerate(rules):
            spec = self.validate(RuleSpec, item, positions, name, ("rules", index))
            if spec is not None:
                yield index, spec

    def adopt(self, manifest: Manifest, rules: list[Rule], seen: dict[str, str]) -> list[Rule]:
        """Add the rules this pack adopts from other packs through ``extends``."""
        for entry in manifest.extends:
            try:
                base = load_pack(entry.pack, self.rules_dir)
            except (UnknownPackError, PackError) as err:
                self.problem("pack.yaml", (1, 1), "bad-extends", str(err).splitlines()[0])
                continue
            by_id = {rule.id: rule for rule in base.rules}
            for rule_id in entry.rules:
                if rule_id in seen:
                    continue  # this pack overrides the adopted rule
                if rule_id not in by_id:
                    hint = ", ".join(sorted(by_id)[:5])
                    self.problem("pack.yaml", (1, 1), "unknown-rule",
                                 f"pack {entry.pack!r} has no rule {rule_id!r} "
                                 f"(it has {hint}, ...)")
                    continue
                seen[rule_id] = f"{entry.pack} (adopted)"
                rules.append(by_id[rule_id])
        return rules


def _position(positions: Positions, loc: tuple[Any, ...], *, key: bool = False) -> tuple[int, int]:
    if key and (*loc, "<key>") in positions:
        return positions[(*loc, "<key>")]
    for length in range(len(loc), -1, -1):
        found = positions.get(tuple(loc[:length]))
        if found is not None:
            return found
    return (1, 1)


class _RuleCompiler:
    """Compile one rule; report its problems with positions inside the rule file."""

    def __init__(self, loader: _PackLoader, file: str, text: str, positions: Positions,
                 base: tuple[str | int, ...], manifest: Manifest) -> None:
        self.loader = loader
        self.file = file
        self.lines = text.splitlines()
        self.positions = positions
        self.base = base
        self.manifest = manifest
        self.ok = True

    def where(self, *path: str | int) -> tuple[int, int]:
        return _position(self.positions, (*self.base, *path))

    def problem(self, where: tuple[int, int], code: str, message: str) -> None:
        self.ok = False
        self.loader.problem(self.file, where, code, message)

    def compile(self, spec: RuleSpec) -> Rule | None:
        if spec.citation.document not in self.manifest.documents:
            known = ", ".join(sorted(self.manifest.documents))
            self.problem(self.where("citation", "document"), "unknown-document",
                         f"{spec.id}: citation document {spec.citation.document!r} is not in "
                         f"pack.yaml documents ({known})")
        parameters = self.parameters(spec)
        scope = Scope(dossier_type(), {
            "params": ObjectType("params", {p.name: _value_type(p) for p in parameters}),
            "as_of": DATE,
        })
        variants = [self.expressions(spec, scope, trace=trace) for trace in (False, True)]
        fast, traced = variants
        if fast is None or traced is None:
            return None
        full_scope = self.scope_after(spec, scope, fast)
        evidence = self.evidence(spec, self.item_scope(spec, scope, fast), fast)
        messages = self.messages(spec, full_scope)
        if not self.ok:
            return None
        line = self.where()[0]
        return Rule(spec, self.manifest.id, self.manifest.version, self.file, line,
                    self.for_each_variable(spec), fast, traced, tuple(parameters), evidence,
                    messages, {"zh": spec.title.zh, "en": spec.title.en}, _citation(spec))

    # -- pieces ----------------------------------------------------------------------------
    def parameters(self, spec: RuleSpec) -> list[CompiledParameter]:
        compiled = []
        for name, parameter in spec.parameters.items():
            history = sorted(parameter.values.items())
            values: list[object] = []
            for when, entry in history:
                value = None if entry is None else entry.value
                if parameter.unit == "date" and isinstance(value, str):
                    try:
                        value = strict_date(value)
                    except ValueError:
                        self.problem(self.where("parameters", name, "values"), "bad-parameter",
                                     f"{spec.id}: parameter {name!r} value {value!r} on {when} "
                                     "is not a YYYY-MM-DD date")
                values.append(value)
            compiled.append(CompiledParameter(
                name, parameter.unit, tuple(w for w, _ in history), tuple(values),
                tuple(entry is None for _, entry in history),
                tuple(None if entry is None else entry.note for _, entry in history)))
        return compiled

    def expression(self, text: str, scope: Scope, path: tuple[str | int, ...], *,
                   trace: bool = False) -> Compiled | None:
        try:
            return compile_expression(parse(text), scope, source=text, trace=trace)
        except ExpressionError as err:
            if not trace:
                self.problem(self.offset_position(path, text, err.offset), err.code, err.reason)
            return None

    def offset_position(self, path: tuple[str | int, ...], text: str,
                        offset: int) -> tuple[int, int]:
        """Line and column of character ``offset`` of an expression written at ``path``."""
        line, column = self.where(*path)
        raw = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        head = raw[column - 1:column] if column - 1 < len(raw) else ""
        if head == ">":
            return self.folded_position(line, offset)
        if head == "|":
            before = text[:offset]
            row = line + 1 + before.count("\n")
            body = self.lines[row - 1] if row <= len(self.lines) else ""
            indent = len(body) - len(body.lstrip())
            return row, indent + len(before.rsplit("\n", 1)[-1]) + 1
        return line, column + offset + (1 if head in ('"', "'") else 0)

    def folded_position(self, line: int, offset: int) -> tuple[int, int]:
        """Line and column of ``offset`` in a ``>`` block, whose line breaks became spaces.

        The folded text is the block's lines (indentation removed) joined by one character
        each, so walking the raw lines and counting that character finds the source line.
        """
        position = 0
        row = line + 1
        while row <= len(self.lines):
            body = self.lines[row - 1]
            content = body.strip()
            indent = len(body) - len(body.lstrip())
            if offset <= position + len(content) or row == len(self.lines):
                return row, indent + (offset - position) + 1
            position += len(content) + 1
            row += 1
        return line, 1

    def for_each_variable(self, spec: RuleSpec) -> str | None:
        match = _FOR_EACH.match(spec.for_each or "")
        return match.group(1) if match else None

    def expressions(self, spec: RuleSpec, scope: Scope, *, trace: bool) -> RuleExpressions | None:
        for_each = None
        if spec.for_each is not None:
            for_each, scope = self.loop(spec, scope, trace=trace)
        applies = None
        if spec.applies_when is not None:
            applies = self.expression(spec.applies_when, scope, ("applies_when",), trace=trace)
        lets: list[tuple[str, Compiled]] = []
        for name, text in spec.let.items():
            if name in scope.locals or name in scope.root.fields:
                self.problem(self.where("let", name), "shadowed-name",
                             f"{spec.id}: let name {name!r} hides another name")
                continue
            compiled = self.expression(text, scope, ("let", name), trace=trace)
            if compiled is not None:
                lets.append((name, compiled))
                scope = scope.with_local(name, compiled.type)
        condition = warn = None
        if spec.condition is not None:
            condition = self.expression(spec.condition, scope, ("condition",), trace=trace)
        if spec.warn_when is not None:
            warn = self.expression(spec.warn_when, scope, ("warn_when",), trace=trace)
        if not self.ok:
            return None
        return RuleExpressions(applies, for_each, tuple(lets), condition, warn)

    def loop(self, spec: RuleSpec, scope: Scope, *, trace: bool) -> tuple[Compiled | None, Scope]:
        match = _FOR_EACH.match(spec.for_each or "")
        if match is None:
            self.problem(self.where("for_each"), "syntax-error",
                         f"{spec.id}: for_each must read 'name in list', got {spec.for_each!r}")
            return None, scope
        variable, text = match.group(1), match.group(2)
        if variable in _RESERVED or variable in scope.root.fields:
            self.problem(self.where("for_each"), "shadowed-name",
                         f"{spec.id}: loop variable {variable!r} hides another name")
            return None, scope
        offset = match.start(2)
        try:
            compiled = compile_expression(parse(text), scope, source=text, trace=trace)
        except ExpressionError as err:
            if not trace:
                self.problem(self.offset_position(("for_each",), spec.for_each or "",
                                                  offset + err.offset), err.code, err.reason)
            return None, scope
        if not isinstance(compiled.type, ListType):
            self.problem(self.where("for_each"), "not-a-list",
                         f"{spec.id}: for_each needs a list, {text!r} is not one")
            return None, scope
        return compiled, scope.with_item(variable, compiled.type.item)

    def item_scope(self, spec: RuleSpec, scope: Scope, fast: RuleExpressions) -> Scope:
        variable = self.for_each_variable(spec)
        if variable is None or fast.for_each is None:
            return scope
        item = fast.for_each.type.item if isinstance(fast.for_each.type, ListType) else ANY
        return scope.with_item(variable, item)

    def scope_after(self, spec: RuleSpec, scope: Scope, fast: RuleExpressions) -> Scope:
        scope = self.item_scope(spec, scope, fast)
        for name, compiled in fast.lets:
            scope = scope.with_local(name, compiled.type)
        return scope

    def evidence(self, spec: RuleSpec, scope: Scope,
                 fast: RuleExpressions) -> tuple[EvidencePath, ...]:
        texts: list[str] = []
        for index, text in enumerate(spec.evidence):
            try:
                node = parse(text)
            except ExpressionError as err:
                self.problem(self.offset_position(("evidence", index), text, err.offset),
                             err.code, err.reason)
                continue
            if path_text(node) is None:
                self.problem(self.where("evidence", index), "bad-evidence",
                             f"{spec.id}: evidence must be a dossier path, got {text!r}")
                continue
            texts.append(text)
        variable = self.for_each_variable(spec)
        roots = {*scope.root.fields, *([variable] if variable else [])}
        for source in _rule_sources(spec):
            for node in _paths_in(parse(source)):
                found = path_text(node)
                if found and found.split(".")[0].split("[")[0] in roots and found not in texts:
                    texts.append(found)
        result = []
        for text in texts:
            where = ("evidence", spec.evidence.index(text)) if text in spec.evidence else ()
            compiled = self.expression(text, scope, where)
            if compiled is None:
                continue
            explicit = text in spec.evidence
            if explicit or not isinstance(compiled.type, ListType | ObjectType):
                cut = min((i for i in (text.find("."), text.find("[")) if i >= 0),
                          default=len(text))
                result.append(EvidencePath(text, text[:cut], text[cut:], compiled,
                                           path_text(parse(text)) or text))
        return tuple(result)

    def messages(self, spec: RuleSpec, scope: Scope) -> dict[str, Message]:
        result: dict[str, Message] = {}
        texts = {"fail": spec.message.fail if spec.message else None,
                 "warn": spec.message.warn if spec.message else None,
                 "pass": spec.message.pass_ if spec.message else None,
                 "needs_review": spec.review}
        for outcome, text in texts.items():
            if text is None:
                continue
            zh = self.template(spec, text.zh, scope, outcome)
            en = self.template(spec, text.en, scope, outcome)
            result[outcome] = Message(zh, en)
        return result

    def template(self, spec: RuleSpec, text: str, scope: Scope,
                 outcome: str) -> tuple[str | Compiled, ...]:
        parts: list[str | Compiled] = []
        cursor = 0
        key = "review" if outcome == "needs_review" else "message"
        for match in _PLACEHOLDER.finditer(text):
            parts.append(text[cursor:match.start()])
            inner = match.group(1).strip()
            try:
                parts.append(compile_expression(parse(inner), scope, source=inner))
            except ExpressionError as err:
                where = self.where(key) if key == "review" else self.where(key, outcome)
                self.problem(where, f"bad-placeholder-{err.code}",
                             f"{spec.id}: in {{{inner}}}: {err.reason}")
            cursor = match.end()
        parts.append(text[cursor:])
        return tuple(part for part in parts if part != "")


def _citation(spec: RuleSpec) -> dict[str, object]:
    citation = spec.citation
    return {
        "document": citation.document, "article": citation.article, "clause": citation.clause,
        "quote": citation.quote.model_dump(exclude_none=True), "url": citation.url,
        "ledger": citation.ledger, "confidence": citation.confidence,
    }


def _value_type(parameter: CompiledParameter) -> Type:
    sample = next((v for v in parameter.values if v is not None), None)
    if isinstance(sample, bool):
        return BOOL
    if isinstance(sample, date):
        return DATE
    if isinstance(sample, int | float):
        return NUMBER
    if isinstance(sample, str):
        return STRING
    if isinstance(sample, list):
        return ListType(ANY)
    return ANY


def _rule_sources(spec: RuleSpec) -> list[str]:
    texts = [spec.applies_when, *spec.let.values(), spec.condition, spec.warn_when]
    return [text for text in texts if text]


def _paths_in(node: Node) -> Iterator[Node]:
    """Maximal path expressions inside ``node``, outside any quantifier body."""
    if isinstance(node, ast.Name | ast.Attribute | ast.Index):
        if path_text(node) is not None:
            yield node
        return
    if isinstance(node, ast.Quantifier):
        yield from _paths_in(node.collection)
        return
    for child in _children(node):
        yield from _paths_in(child)


def _children(node: Node) -> tuple[Node, ...]:
    if isinstance(node, ast.Call):
        return node.args
    if isinstance(node, ast.ListLiteral):
        return node.items
    if isinstance(node, ast.BoolOp):
        return node.operands
    if isinstance(node, ast.Compare | ast.BinaryOp):
        return (node.left, node.right)
    if isinstance(node, ast.Not | ast.Negate):
        return (node.operand,)
    return ()

