"""Phoenix's Kubernetes API group and version, and the names its objects are known by."""

from __future__ import annotations

GROUP = "phoenix.io"
VERSION = "v1alpha1"
API_VERSION = f"{GROUP}/{VERSION}"
MANAGED_BY = "app.kubernetes.io/managed-by"
EXPERIMENT_LABEL = f"{GROUP}/experiment"
VARIANT_LABEL = f"{GROUP}/variant"
