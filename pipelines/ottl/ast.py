"""The OTTL syntax tree: what a parsed statement or condition is made of."""

from __future__ import annotations

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


def paths_in(node: Any) -> list[Path]:
    """Every path the expression reads or writes, in order."""
    found: list[Path] = []

    def walk(n: Any) -> None:
        if isinstance(n, Path):
            found.append(n)
        elif isinstance(n, Statement):
            walk(n.editor)
            walk(n.where)
        elif isinstance(n, Call):
            for a in n.args:
                walk(a)
            for _, a in n.named:
                walk(a)
        elif isinstance(n, ListExpr):
            for a in n.items:
                walk(a)
        elif isinstance(n, MapExpr):
            for _, a in n.items:
                walk(a)
        elif isinstance(n, Not):
            walk(n.operand)
        elif isinstance(n, BoolOp):
            for a in n.operands:
                walk(a)
        elif isinstance(n, Compare | Math):
            walk(n.left)
            walk(n.right)

    walk(node)
    return found


def calls_in(node: Any) -> list[Call]:
    found: list[Call] = []

    def walk(n: Any) -> None:
        if isinstance(n, Call):
            found.append(n)
            for a in (*n.args, *(v for _, v in n.named)):
                walk(a)
        elif isinstance(n, Statement):
            walk(n.editor)
            walk(n.where)
        elif isinstance(n, ListExpr):
            for a in n.items:
                walk(a)
        elif isinstance(n, Not):
            walk(n.operand)
        elif isinstance(n, BoolOp):
            for a in n.operands:
                walk(a)
        elif isinstance(n, Compare | Math):
            walk(n.left)
            walk(n.right)

    walk(node)
    return found
