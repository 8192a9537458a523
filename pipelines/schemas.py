"""The keys each supported collector component accepts (otelcol-contrib, v0.130 and later)."""

from __future__ import annotations

from typing import Any

from pipelines.processors import KINDS

# A spec is a type name ("str", "int", "num", "bool", "list", "map", "any") or a nested dict.
RECEIVERS: dict[str, dict[str, Any]] = {
    "hostmetrics": {
        "collection_interval": "str",
        "initial_delay": "str",
        "root_path": "str",
        "timeout": "str",
        "scrapers": {
            "process": {
                "include": {"names": "list", "match_type": "str"},
                "exclude": {"names": "list", "match_type": "str"},
                "mute_process_all_errors": "bool",
                "mute_process_name_error": "bool",
                "mute_process_exe_error": "bool",
                "mute_process_io_error": "bool",
                "mute_process_user_error": "bool",
                "mute_process_cgroup_error": "bool",
                "scrape_process_delay": "str",
                "metrics": "map",
                "resource_attributes": "map",
            },
            "cpu": "any",
            "disk": "any",
            "filesystem": "any",
            "load": "any",
            "memory": "any",
            "network": "any",
            "paging": "any",
            "processes": "any",
            "system": "any",
        },
    },
    "otlp": {"protocols": {"grpc": "any", "http": "any"}},
}
# Each processor's keys are its own package's (pipelines/processors/<type>/).
PROCESSORS: dict[str, dict[str, Any]] = {name: kind.keys for name, kind in KINDS.items()}
# What both OTLP exporters take (the client settings of the collector's confighttp/configgrpc).
OTLP_CLIENT = {
    "endpoint": "str",
    "headers": "map",
    "compression": "str",
    "timeout": "str",
    "tls": "map",
    "retry_on_failure": "map",
    "sending_queue": "map",
}
EXPORTERS: dict[str, dict[str, Any]] = {
    "otlphttp": {
        **OTLP_CLIENT,
        "metrics_endpoint": "str",
        "traces_endpoint": "str",
        "logs_endpoint": "str",
        "encoding": "str",
    },
    "otlp": {**OTLP_CLIENT, "balancer_name": "str"},
    "prometheus": {
        "endpoint": "str",
        "namespace": "str",
        "const_labels": "map",
        "send_timestamps": "bool",
        "metric_expiration": "str",
        "resource_to_telemetry_conversion": {"enabled": "bool"},
        "enable_open_metrics": "bool",
        "add_metric_suffixes": "bool",
        "translation_strategy": "str",
    },
    "debug": {
        "verbosity": "str",
        "sampling_initial": "int",
        "sampling_thereafter": "int",
        "use_internal_logger": "bool",
    },
}
# v0.159 renamed these; the old names remain as deprecated aliases, so both are accepted.
EXPORTERS["otlp_http"] = EXPORTERS["otlphttp"]
EXPORTERS["otlp_grpc"] = EXPORTERS["otlp"]
RECEIVERS["host_metrics"] = RECEIVERS["hostmetrics"]
EXTENSIONS: dict[str, dict[str, Any]] = {
    "health_check": {
        "endpoint": "str",
        "path": "str",
        "check_collector_pipeline": "map",
        "response_body": "any",
        "tls": "map",
    },
}
SECTIONS = {
    "receivers": RECEIVERS,
    "processors": PROCESSORS,
    "exporters": EXPORTERS,
    "extensions": EXTENSIONS,
}
