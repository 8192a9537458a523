"""The batch processor: it groups what passes into larger requests and changes nothing of it."""

from __future__ import annotations

from pipelines.processors.base import ProcessorKind, keys_by_type, pass_through

KIND = ProcessorKind(
    names=("batch",),
    keys=keys_by_type(
        int="send_batch_size send_batch_max_size metadata_cardinality_limit",
        str="timeout",
        list="metadata_keys",
    ),
    build=pass_through,
)
