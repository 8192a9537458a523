"""Phoenix's custom resource definitions, made from the pydantic models so the two cannot drift:
``Experiment`` (its spec is ExperimentSpec, immutable once created) and ``ProcessPipeline``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field

from adapters.kube.schema import structural
from domain.bounds import FreeForm
from domain.cluster.resources import GROUP, VERSION
from domain.experiment.spec import ExperimentSpec

__all__ = ["GROUP", "VERSION", "crds"]


class ProcessPipelineSpec(BaseModel):
    """One collector pipeline deployed fleet-wide: its config (or a template and its
    variables), the collector image, where it runs and with what resources.
    """

    model_config = ConfigDict(extra="forbid")

    config: str | None = Field(default=None, max_length=256 * 1024, description="collector YAML")
    template: str | None = Field(default=None, max_length=200)
    variables: FreeForm = Field(default_factory=dict)
    image: str = Field(default="otel/opentelemetry-collector-contrib:0.159.0", max_length=500)
    node_selector: dict[str, str] = Field(default_factory=dict)
    hosts: list[str] = Field(
        default_factory=list, max_length=1000, description="only these nodes, by name, if any"
    )
    tolerations: list[FreeForm] = Field(default_factory=list, max_length=50)
    resources: FreeForm = Field(default_factory=dict)
    labels: dict[str, str] = Field(default_factory=dict)


def _status(extra: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {
            "observedGeneration": {"type": "integer", "format": "int64"},
            "conditions": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["type", "status"],
                    "properties": {
                        "type": {"type": "string"},
                        "status": {"type": "string", "enum": ["True", "False", "Unknown"]},
                        "reason": {"type": "string"},
                        "message": {"type": "string"},
                        "lastTransitionTime": {"type": "string", "format": "date-time"},
                        "observedGeneration": {"type": "integer", "format": "int64"},
                    },
                },
                "x-kubernetes-list-type": "map",
                "x-kubernetes-list-map-keys": ["type"],
            },
            **extra,
        },
    }


def _crd(
    kind: str,
    plural: str,
    short: list[str],
    spec: dict[str, Any],
    status: dict[str, Any],
    columns: list[dict[str, Any]],
) -> dict[str, Any]:
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": f"{plural}.{GROUP}"},
        "spec": {
            "group": GROUP,
            "scope": "Namespaced",
            "names": {
                "kind": kind,
                "plural": plural,
                "singular": kind.lower(),
                "listKind": f"{kind}List",
                "shortNames": short,
                "categories": ["phoenix"],
            },
            "versions": [
                {
                    "name": VERSION,
                    "served": True,
                    "storage": True,
                    "subresources": {"status": {}},
                    "additionalPrinterColumns": [
                        *columns,
                        {"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"},
                    ],
                    "schema": {
                        "openAPIV3Schema": {
                            "type": "object",
                            "required": ["spec"],
                            "properties": {"spec": spec, "status": status},
                        }
                    },
                }
            ],
        },
    }


def experiment_crd() -> dict[str, Any]:
    spec = structural(ExperimentSpec)
    spec["x-kubernetes-validations"] = [
        {"rule": "self == oldSelf", "message": "an experiment's spec is immutable once created"}
    ]
    variant = {
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "verdict": {"type": "string"},
            "seriesReduction": {"type": "number"},
            "criticalRetention": {"type": "number"},
        },
    }
    status = _status(
        {
            "phase": {"type": "string"},
            "phaseHistory": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "phase": {"type": "string"},
                        "at": {"type": "string", "format": "date-time"},
                    },
                },
            },
            "windowEndsAt": {"type": "string", "format": "date-time"},
            "experimentId": {"type": "string"},
            "variants": {"type": "array", "items": variant},
            "winner": {"type": "string"},
            "winnerSeriesReduction": {"type": "string"},
            "verdict": {"type": "string"},
            "promotionCommit": {"type": "string"},
            "reason": {"type": "string"},
        }
    )
    columns = [
        {"name": "Phase", "type": "string", "jsonPath": ".status.phase"},
        {"name": "Verdict", "type": "string", "jsonPath": ".status.verdict"},
        {"name": "Winner", "type": "string", "jsonPath": ".status.winner"},
        {"name": "Reduction", "type": "string", "jsonPath": ".status.winnerSeriesReduction"},
    ]
    return _crd("Experiment", "experiments", ["pxe"], spec, status, columns)


def process_pipeline_crd() -> dict[str, Any]:
    spec = structural(ProcessPipelineSpec)
    spec["x-kubernetes-validations"] = [
        {
            "rule": "has(self.config) != has(self.template)",
            "message": "give either config or template, not both or neither",
        }
    ]
    status = _status(
        {
            "configSha256": {"type": "string"},
            "desiredNodes": {"type": "integer"},
            "readyNodes": {"type": "integer"},
        }
    )
    columns: list[dict[str, Any]] = [
        {"name": "Config", "type": "string", "jsonPath": ".status.configSha256", "priority": 1},
        {"name": "Desired", "type": "integer", "jsonPath": ".status.desiredNodes"},
        {"name": "Ready", "type": "integer", "jsonPath": ".status.readyNodes"},
    ]
    return _crd("ProcessPipeline", "processpipelines", ["pxp"], spec, status, columns)


def crds() -> dict[str, dict[str, Any]]:
    """File name -> CRD, as checked in under deploy/crds/."""
    return {
        "experiments.phoenix.io.yaml": experiment_crd(),
        "processpipelines.phoenix.io.yaml": process_pipeline_crd(),
    }


class _NoAliases(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True


def as_yaml(crd: dict[str, Any]) -> str:
    return yaml.dump(crd, Dumper=_NoAliases, sort_keys=False, width=100)


def write(directory: Path) -> list[Path]:
    """Write every CRD under ``directory``; the paths written."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, crd in crds().items():
        path = directory / name
        path.write_text(as_yaml(crd))
        written.append(path)
    return written


if __name__ == "__main__":  # python -m adapters.kube.crds deploy/crds deploy/helm/phoenix/crds
    for folder in sys.argv[1:] or ["deploy/crds", "deploy/helm/phoenix/crds"]:
        for path in write(Path(folder)):
            print(path)
