"""The OTTL syntax tree: what a parsed statement or condition is made of."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Literal:
    value: Any


@dataclass(frozen=True)
class Enum:
    name: str


@dataclass(frozen=True)
class Path:
    names: tuple[str, ...]
    keys: tuple[str | int, ...] = ()

    def __str__(self) -> str:
        return ".".join(self.names) + "".join(f"[{k!r}]" for k in self.keys)


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple[Any, ...]
    named: tuple[tuple[str, Any], ...] = ()
    keys: tuple[str | int, ...] = ()


@dataclass(frozen=True)
class ListExpr:
    items: tuple[Any, ...]


@dataclass(frozen=True)
class MapExpr:
    items: tuple[tuple[str, Any], ...]


@dataclass(frozen=True)
class Not:
    operand: Any


@dataclass(frozen=True)
class BoolOp:
    op: str  # "and" | "or"
    operands: tuple[Any, ...]


@dataclass(frozen=True)
class Compare:
    op: str
    left: Any
    right: Any


@dataclass(frozen=True)
class Math:
    op: str
    left: Any
    right: Any


@dataclass(frozen=True)
class Statement:
    editor: Call
    where: Any | None


Expr = Literal | Enum | Path | Call | ListExpr | MapExpr | Not | BoolOp | Compare | Math


def walk(node: Any) -> Iterator[Any]:
    """Every node of the tree, depth first, the node itself included."""
    yield node
    children: tuple[Any, ...] = ()
    if isinstance(node, Statement):
        children = (node.editor, node.where)
    elif isinstance(node, Call):
        children = (*node.args, *(value for _, value in node.named))
    elif isinstance(node, ListExpr):
        children = node.items
    elif isinstance(node, MapExpr):
        children = tuple(value for _, value in node.items)
    elif isinstance(node, Not):
        children = (node.operand,)
    elif isinstance(node, BoolOp):
        children = node.operands
    elif isinstance(node, Compare | Math):
        children = (node.left, node.right)
    for child in children:
        if child is not None:
            yield from walk(child)


def paths_in(node: Any) -> list[Path]:
    """Every path the expression reads or writes, in order."""
    return [n for n in walk(node) if isinstance(n, Path)]


def calls_in(node: Any) -> list[Call]:
    """Every editor and converter call, in order."""
    return [n for n in walk(node) if isinstance(n, Call)]
