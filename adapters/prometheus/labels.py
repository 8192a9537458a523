"""How OTel names become Prometheus names, as Phoenix reads them back (README "Measuring through
Prometheus").

With ``translation_strategy: NoUTF8EscapingWithSuffixes`` (what Phoenix asks for) an attribute's
label is the attribute's own name, dots and all. With an escaping strategy (Prometheus's default,
``UnderscoreEscapingWithSuffixes``) every character other than a letter, a digit or ``_`` becomes
``_`` and runs of ``_`` collapse: ``process.executable.name`` is ``process_executable_name``. The
names Phoenix reads are mapped back to their OTel form; other labels keep their Prometheus form.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from pipelines.wiring import EXPERIMENT_ATTRIBUTE, VARIANT_ATTRIBUTE

# The process scraper's point attributes (cpu state, disk direction, fault and switch type):
# a process's series differ by these, its identity does not.
POINT_ATTRIBUTES = ("state", "direction", "type")
# Resource attributes Phoenix reads or shows, mapped back from an escaped label.
KNOWN_ATTRIBUTES = (
    "host.name",
    "host.id",
    "process.pid",
    "process.parent_pid",
    "process.executable.name",
    "process.executable.path",
    "process.command",
    "process.command_line",
    "process.owner",
    "os.type",
    "service.name",
    "k8s.node.name",
    "k8s.pod.name",
    "k8s.namespace.name",
    "container.id",
    EXPERIMENT_ATTRIBUTE,
    VARIANT_ATTRIBUTE,
)
# Attributes the process scraper sends as integers (a label is a string): read back as integers,
# so a process is the same identity through either source.
INTEGER_ATTRIBUTES = frozenset({"process.pid", "process.parent_pid"})
_INVALID = re.compile(r"[^a-zA-Z0-9_]")
_RUNS = re.compile(r"__+")
# Series that are not a variant's output though they carry its labels.
NOT_OUTPUT = "otelcol_.+|target_info"


def escape(name: str) -> str:
    """A label name as an escaping Prometheus writes it."""
    escaped = _RUNS.sub("_", _INVALID.sub("_", name))
    return f"key_{escaped}" if escaped[:1].isdigit() else escaped


def quote(value: str) -> str:
    """A PromQL string literal."""
    return json.dumps(value)


@dataclass(frozen=True)
class Labels:
    """Label names for one translation strategy: UTF-8 (as written) or escaped."""

    utf8: bool = True

    def name(self, attribute: str) -> str:
        return attribute if self.utf8 else escape(attribute)

    def matcher(self, attribute: str, op: str, value: str) -> str:
        name = self.name(attribute)
        key = name if re.fullmatch(r"[a-zA-Z_][a-zA-Z0-9_]*", name) else quote(name)
        return f"{key}{op}{quote(value)}"

    def attribute(self, label: str) -> str:
        """The OTel attribute a label came from (known names), else the label as it is."""
        if self.utf8:
            return label
        return _BACK.get(label, label)

    def value(self, attribute: str, text: str) -> str | int:
        if attribute in INTEGER_ATTRIBUTES and re.fullmatch(r"-?[0-9]+", text):
            return int(text)
        return text

    def variant(self, experiment: str, variant: str) -> list[str]:
        """The matchers of one variant's series."""
        return [
            self.matcher(EXPERIMENT_ATTRIBUTE, "=", experiment),
            self.matcher(VARIANT_ATTRIBUTE, "=", variant),
        ]


_BACK = {escape(a): a for a in KNOWN_ATTRIBUTES}


def selector(*matchers: str) -> str:
    return "{" + ", ".join(matchers) + "}"


def anywhere(patterns: tuple[str, ...] | list[str]) -> str:
    """RE2 patterns matched anywhere in a value (Phoenix's rule), as one fully anchored PromQL regex."""
    return "|".join(f".*(?:{p}).*" for p in patterns)
