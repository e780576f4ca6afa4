"""The lines a generated resource adds to files it shares with others, and their removal.

app/models/__init__.py imports the model (Base.metadata then knows its table), template.yaml
routes its paths to ApiFunction, and each model it references gets the other side of the
relationship. The edits are textual and minimal: what is around them stays as it was; ruff then
sorts the imports and formats the Python files, as Alembic's post-write hooks do for revisions.
"""

import ast
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from tasks.api import TEMPLATE
from tasks.resources import MODELS, Model, Resource, ResourceError, models

REGISTRY = MODELS / "__init__.py"
# ApiFunction's Events in template.yaml: the lines indented under it, up to the next property.
API_EVENTS = re.compile(
    r"^  ApiFunction:\n(?:(?: {4,}.*)?\n)*? {6}Events:\n"  # the function's lines up to its Events
    r"((?:(?: {8,}.*)?\n)*)",  # the events: more indented lines, or blank ones
    re.MULTILINE,
)


def register(resource: Resource) -> None:
    """Import the model in app/models/__init__.py and list it in ``__all__``."""
    text = REGISTRY.read_text()
    imports = list(re.finditer(r"^from \.\w+ import .*\n", text, re.MULTILINE))
    at = imports[-1].end() if imports else 0
    text = text[:at] + f"from .{resource.name} import {resource.class_name}\n" + text[at:]
    REGISTRY.write_text(with_all(text, lambda names: [*names, resource.class_name]))


def unregister(resource: Resource) -> None:
    """Undo ``register``."""
    text = REGISTRY.read_text().replace(f"from .{resource.name} import {resource.class_name}\n", "")
    REGISTRY.write_text(with_all(text, lambda names: [name for name in names if name != resource.class_name]))


def with_all(text: str, change: Callable[[list[str]], list[str]]) -> str:
    """``text`` with its ``__all__`` list changed by ``change``."""
    lines = text.splitlines(keepends=True)
    for node in ast.parse(text).body:
        if isinstance(node, ast.Assign) and [ast.unparse(target) for target in node.targets] == ["__all__"]:
            names = change(list(ast.literal_eval(node.value)))
            listed = ", ".join(f'"{name}"' for name in sorted(names))
            lines[node.lineno - 1 : node.end_lineno] = [f"__all__ = [{listed}]\n"]
            return "".join(lines)
    raise ResourceError(f"{REGISTRY.relative_to(MODELS.parent.parent)} has no __all__ list: add one")


def route(resource: Resource) -> None:
    """Add the resource's HttpApi events at the end of ApiFunction's Events in template.yaml."""
    text = TEMPLATE.read_text()
    found = API_EVENTS.search(text)
    if found is None:
        raise ResourceError("template.yaml has no Events under ApiFunction's Properties: restore them")
    at = found.start(1) + len(found.group(1).rstrip("\n")) + 1
    TEMPLATE.write_text(text[:at] + resource.template_events() + text[at:])


def unroute(resource: Resource) -> None:
    """Undo ``route``."""
    TEMPLATE.write_text(TEMPLATE.read_text().replace(resource.template_events(), "", 1))


def relate(resource: Resource) -> None:
    """Give each model the resource references the other side: ``comments: Mapped[list["Comment"]]``."""
    for parent in resource.parents:
        attribute = next(field.parent_attribute for field in resource.references if field.parent == parent)
        text = parent.path.read_text()
        lines = text.splitlines(keepends=True)
        tree = ast.parse(text)
        model = model_class(tree, parent)
        lines.insert(
            model.end_lineno or 0,
            f'    {resource.table}: Mapped[list["{resource.class_name}"]] = relationship(\n'
            f'        back_populates="{attribute}", passive_deletes=True\n    )\n',
        )
        import_line = f"    from .{resource.name} import {resource.class_name}\n"
        block = type_checking_block(tree)
        if block:
            lines.insert(block.end_lineno or 0, import_line)
        else:
            lines.insert(last_import_line(tree), f"\nif TYPE_CHECKING:\n{import_line}")
            lines.insert(last_import_line(tree), "from typing import TYPE_CHECKING\n")
        lines.insert(last_import_line(tree), "from sqlalchemy.orm import relationship\n")
        parent.path.write_text("".join(lines))


def unrelate(resource: Resource) -> list[Path]:
    """Undo ``relate``: the models the resource's model references lose their side."""
    changed = []
    for parent in parents_of(resource):
        text = parent.path.read_text()
        tree = ast.parse(text)
        gone: list[ast.stmt] = [
            node
            for node in model_class(tree, parent).body
            if isinstance(node, ast.AnnAssign) and ast.unparse(node.target) == resource.table
        ]
        block = type_checking_block(tree)
        imported = [
            node
            for node in (block.body if block else [])
            if isinstance(node, ast.ImportFrom) and node.module == resource.name and node.level == 1
        ]
        gone += imported
        if block and len(imported) == len(block.body):
            gone.append(block)
        lines = text.splitlines(keepends=True)
        for node in sorted(gone, key=lambda node: node.lineno, reverse=True):
            del lines[node.lineno - 1 : node.end_lineno]
        if gone:
            parent.path.write_text("".join(lines))
            changed.append(parent.path)
    return changed


def parents_of(resource: Resource) -> list[Model]:
    """The models whose tables the resource's model has a foreign key to, read from its file."""
    by_table = {model.table: model for model in models().values()}
    path = MODELS / f"{resource.name}.py"
    tables = {
        node.args[0].value.split(".")[0]
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Call)
        and ast.unparse(node.func) == "ForeignKey"
        and node.args
        and isinstance(node.args[0], ast.Constant)
    }
    return [by_table[table] for table in sorted(tables) if table in by_table]


def children_of(resource: Resource) -> list[Model]:
    """The other models with a foreign key to the resource's table."""
    return [
        model
        for model in models().values()
        if model.path.stem != resource.name and f'ForeignKey("{resource.table}.id"' in model.path.read_text()
    ]


def model_class(tree: ast.Module, model: Model) -> ast.ClassDef:
    """The class of ``model`` in its module."""
    return next(
        node for node in tree.body if isinstance(node, ast.ClassDef) and node.name == model.class_name
    )


def type_checking_block(tree: ast.Module) -> ast.If | None:
    """The module's ``if TYPE_CHECKING:``, if it has one."""
    blocks = [
        node for node in tree.body if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING"
    ]
    return blocks[0] if blocks else None


def last_import_line(tree: ast.Module) -> int:
    """The line where the module's top imports end."""
    return max(node.end_lineno or 0 for node in tree.body if isinstance(node, ast.ImportFrom | ast.Import))


def tidy(paths: list[Path]) -> None:
    """Sort the imports of ``paths`` and drop those left unused, then format them, with ruff."""
    files = [str(path) for path in paths if path.suffix == ".py"]
    if not files:
        return
    for arguments in (["check", "--fix", "--quiet", "--select", "I,F401,RUF022"], ["format", "--quiet"]):
        command = [sys.executable, "-m", "ruff", *arguments, *files]
        result = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603 (no shell)
        if result.returncode:
            problem = (result.stderr or result.stdout).strip().splitlines() or ["no output"]
            raise ResourceError(f"ruff {arguments[0]} failed: {problem[-1]}")
