"""OTTL in a config checked as the collector checks it: syntax, known functions, paths and contexts."""

from __future__ import annotations

from typing import Any

from pipelines.ottl import ast
from pipelines.ottl import compile as ottl
from pipelines.ottl.groups import parse_groups
from pipelines.ottl.parser import parse_condition, parse_statement
from pipelines.problems import Problem

# The OTTL functions the collector knows (a name outside this list is an error in the real one too).
OTTL_FUNCTIONS = {
    "set", "delete_key", "delete_matching_keys", "keep_keys", "keep_matching_keys", "limit",
    "replace_pattern", "replace_all_patterns", "replace_match", "replace_all_matches",
    "truncate_all", "merge_maps", "flatten", "append", "delete_index",
    "aggregate_on_attributes", "aggregate_on_attribute_value", "convert_sum_to_gauge",
    "convert_gauge_to_sum", "copy_metric", "scale_metric", "extract_sum_metric",
    "extract_count_metric", "merge_histogram_buckets",
    "IsMatch", "Concat", "Double", "Int", "String", "Duration", "TruncateTime", "HasPrefix",
    "HasSuffix", "Len", "IsString", "IsInt", "IsDouble", "IsBool", "IsMap", "IsList", "Split",
    "Substring", "ConvertCase", "ToLowerCase", "ToUpperCase", "Coalesce", "Trim", "Format",
    "Time", "Now", "Unix", "UnixNano", "Hex", "SHA256", "Log", "Round", "ParseJSON",
    "HasAttrKeyOnDatapoint", "HasAttrOnDatapoint", "IsRootSpan", "Index", "Keys", "Values",
    "Seconds", "Milliseconds", "Microseconds", "Nanoseconds", "Minutes", "Hours", "Year", "Month",
    "Day", "Hour", "Minute", "Second", "Nanosecond", "Weekday", "FormatTime", "SHA1", "MD5",
    "FNV", "Murmur3Hash", "Murmur3Hash128", "UUID", "ExtractPatterns", "ExtractGrokPatterns",
    "ParseKeyValue", "ParseCSV", "ParseXML", "ParseSimplifiedXML", "URL", "UserAgent",
    "ToKeyValueString", "SliceToMap", "Sort", "IsValidLuhn", "ContainsValue", "Base64Decode",
    "Decode", "Float", "GetXML", "InsertXML", "RemoveXML", "ConvertAttributesToElementsXML",
    "ConvertTextToElementsXML", "convert_summary_sum_val_to_sum", "convert_summary_count_val_to_sum",
    "convert_exponential_histogram_to_histogram", "extract_percentile_metric",
}  # fmt: skip


def check_groups(raw: Any, path: str, *, statements: bool) -> list[Problem]:
    try:
        groups = parse_groups(raw, path, statements=statements)
    except ValueError as exc:
        where, _, message = str(exc).partition(": ")
        return [Problem(where if where.startswith(path) else path, message or str(exc))]
    problems = []
    for gi, group in enumerate(groups):
        for node in (*group.conditions, *group.statements):
            problems.extend(
                _functions(node, f"{path}[{gi}]")
                or _in_context(node, group.context, f"{path}[{gi}]")
            )
    return problems


def check_ottl(text: Any, path: str, *, statement: bool, context: str) -> list[Problem]:
    if not isinstance(text, str):
        return [Problem(path, "must be a string")]
    try:
        node = parse_statement(text) if statement else parse_condition(text)
    except ValueError as exc:
        return [Problem(path, f"invalid OTTL: {exc}")]
    return _functions(node, path) or _in_context(node, context, path)


def _in_context(node: Any, context: str, path: str) -> list[Problem]:
    """Paths, enums, arities and editor contexts, checked by compiling for the context.

    What only Phoenix's evaluator lacks is not a problem of the config: the real collector
    may well run it (the evaluator says so itself when asked to run it).
    """
    try:
        if isinstance(node, ast.Statement):
            ottl.statement(node, context)
        else:
            ottl.condition(node, context)
    except ottl.OttlCompileError as exc:
        message = str(exc)
        if (
            "not supported by Phoenix's evaluator" in message
            or "Phoenix's evaluator supports" in message
        ):
            return []
        return [Problem(path, f"invalid OTTL: {message}")]
    return []


def _functions(node: Any, path: str) -> list[Problem]:
    return [
        Problem(path, f"unknown OTTL function {call.name}")
        for call in ast.calls_in(node)
        if call.name not in OTTL_FUNCTIONS
    ]
