"""A promoted config as what Argo CD or Flux applies: a ProcessPipeline and a kustomization."""

from __future__ import annotations

from typing import Any

import yaml

from domain.cluster.resources import API_VERSION, EXPERIMENT_LABEL, VARIANT_LABEL

PIPELINE_FILE = "processpipeline.yaml"
KUSTOMIZATION_FILE = "kustomization.yaml"


class _Literal(str):
    """A string dumped as a YAML block literal, so a config reads as it was written."""


def _literal(dumper: yaml.SafeDumper, data: _Literal) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", str(data), style="|")


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(_Literal, _literal)


def process_pipeline(
    name: str, namespace: str, config: str, *, experiment_id: str, variant: str
) -> str:
    """The ProcessPipeline that runs ``config`` on every node of the fleet (no selector)."""
    manifest: dict[str, Any] = {
        "apiVersion": API_VERSION,
        "kind": "ProcessPipeline",
        "metadata": {
            "name": name,
            "namespace": namespace,
            "labels": {
                "app.kubernetes.io/part-of": "phoenix",
                f"{EXPERIMENT_LABEL}-promoted": experiment_id,
                f"{VARIANT_LABEL}-promoted": variant,
            },
        },
        "spec": {"config": _Literal(config if config.endswith("\n") else config + "\n")},
    }
    return yaml.dump(manifest, Dumper=_Dumper, sort_keys=False, width=100)


def kustomization(resources: list[str]) -> str:
    return yaml.safe_dump(
        {
            "apiVersion": "kustomize.config.k8s.io/v1beta1",
            "kind": "Kustomization",
            "resources": resources,
        },
        sort_keys=False,
    )
