"""Parse OTTL statements and conditions into the syntax tree, with the collector's error cases."""

from __future__ import annotations

import re
from functools import cache
from importlib.resources import files
from typing import Any

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import LarkError, UnexpectedInput, VisitError

from pipelines.ottl import ast


class OttlSyntaxError(ValueError):
    """The text is not valid OTTL; the message says where and why."""


_ESCAPES = {
    '"': '"',
    "\\": "\\",
    "n": "\n",
    "t": "\t",
    "r": "\r",
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "v": "\v",
}
_ESCAPE = re.compile(r"\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{3}|.)", re.S)


def unquote(token: str) -> str:
    """A double-quoted string as Go's strconv.Unquote reads it; unknown escapes are errors."""

    def replace(match: re.Match[str]) -> str:
        code = match.group(1)
        if code in _ESCAPES:
            return _ESCAPES[code]
        if code[0] in "xuU":
            return chr(int(code[1:], 16))
        if code[0] in "01234567" and len(code) == 3:
            return chr(int(code, 8))
        raise OttlSyntaxError(
            f"invalid escape \\{code} in {token} (write \\\\{code} for a backslash)"
        )

    return _ESCAPE.sub(replace, token[1:-1])


@v_args(inline=True)
class _ToAst(Transformer[Token, Any]):
    def string(self, token: Token) -> ast.Literal:
        return ast.Literal(unquote(str(token)))

    def integer(self, token: Token) -> ast.Literal:
        return ast.Literal(int(token))

    def floating(self, token: Token) -> ast.Literal:
        return ast.Literal(float(token))

    def true(self, _: Token) -> ast.Literal:
        return ast.Literal(True)

    def false(self, _: Token) -> ast.Literal:
        return ast.Literal(False)

    def nil(self, _: Token) -> ast.Literal:
        return ast.Literal(None)

    def byte_string(self, token: Token) -> ast.Literal:
        return ast.Literal(bytes.fromhex(str(token)[2:]))

    def signed(self, sign: Token, operand: Any) -> Any:
        if isinstance(operand, ast.Literal) and isinstance(operand.value, int | float):
            return ast.Literal(-operand.value if sign == "-" else operand.value)
        return ast.Math("-", ast.Literal(0), operand) if sign == "-" else operand

    def enum(self, name: Token) -> ast.Enum:
        return ast.Enum(str(name))

    def index(self, key: Any) -> str | int:
        return unquote(str(key)) if key.type == "STRING" else int(key)

    def path(self, *parts: Any) -> ast.Path:
        names = tuple(str(p) for p in parts if isinstance(p, Token))
        keys = tuple(p for p in parts if not isinstance(p, Token))
        return ast.Path(names, keys)

    def args(self, *items: Any) -> list[Any]:
        return list(items)

    def named(self, name: Token, value: Any) -> tuple[str, Any]:
        return (str(name), value)

    def _call(self, name: Token, args: list[Any] | None, keys: tuple[Any, ...] = ()) -> ast.Call:
        positional, named = [], []
        for arg in args or []:
            if isinstance(arg, tuple) and len(arg) == 2 and isinstance(arg[0], str):
                named.append(arg)
            elif named:
                raise OttlSyntaxError(f"{name}: a positional argument cannot follow a named one")
            else:
                positional.append(arg)
        return ast.Call(str(name), tuple(positional), tuple(named), keys)

    def converter(self, name: Token, args: list[Any] | None, *keys: Any) -> ast.Call:
        return self._call(name, args, keys)

    def statement(
        self, name: Token, args: list[Any] | None, _where: Token | None, condition: Any
    ) -> ast.Statement:
        return ast.Statement(self._call(name, args), condition)

    def list_expr(self, *items: Any) -> ast.ListExpr:
        return ast.ListExpr(tuple(i for i in items if i is not None))

    def pair(self, key: Token, value: Any) -> tuple[str, Any]:
        return (unquote(str(key)), value)

    def map_expr(self, *pairs: Any) -> ast.MapExpr:
        return ast.MapExpr(tuple(p for p in pairs if p is not None))

    def negation(self, _: Token, operand: Any) -> ast.Not:
        return ast.Not(operand)

    def or_expr(self, *parts: Any) -> ast.BoolOp:
        return ast.BoolOp("or", tuple(p for p in parts if not isinstance(p, Token)))

    def and_expr(self, *parts: Any) -> ast.BoolOp:
        return ast.BoolOp("and", tuple(p for p in parts if not isinstance(p, Token)))

    def comparison(self, left: Any, op: Token, right: Any) -> ast.Compare:
        return ast.Compare(str(op), left, right)

    def _fold(self, parts: tuple[Any, ...]) -> Any:
        result = parts[0]
        for op, right in zip(parts[1::2], parts[2::2], strict=True):
            result = ast.Math(str(op), result, right)
        return result

    def sum(self, *parts: Any) -> Any:
        return self._fold(parts)

    def product(self, *parts: Any) -> Any:
        return self._fold(parts)


@cache
def _parser() -> Lark:
    grammar = files("pipelines.ottl").joinpath("ottl.lark").read_text()
    return Lark(
        grammar,
        parser="lalr",
        start=["start_statement", "start_condition"],
        maybe_placeholders=True,
    )


def _parse(text: str, start: str) -> Any:
    try:
        tree = _parser().parse(text, start=start)
        return _ToAst().transform(tree)
    except UnexpectedInput as exc:
        context = exc.get_context(text, span=30).rstrip()
        raise OttlSyntaxError(f"unexpected input at column {exc.column}:\n{context}") from None
    except VisitError as exc:
        if isinstance(exc.orig_exc, OttlSyntaxError):
            raise exc.orig_exc from None
        raise OttlSyntaxError(str(exc.orig_exc)) from None
    except LarkError as exc:
        raise OttlSyntaxError(str(exc)) from None


def parse_statement(text: str) -> ast.Statement:
    result = _parse(text, "start_statement")
    assert isinstance(result, ast.Statement)
    return result


def parse_condition(text: str) -> Any:
    return _parse(text, "start_condition")
