"""The keys each supported collector component accepts (otelcol-contrib, v0.130 and later)."""

from __future__ import annotations

from typing import Any

# A spec is a type name ("str", "int", "num", "bool", "list", "map", "any") or a nested dict.
NAME_MATCH = {
    "match_type": "str",
    "metric_names": "list",
    "resource_attributes": "list",
    "expressions": "list",
    "regexp": "map",
}

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
PROCESSORS: dict[str, dict[str, Any]] = {
    "batch": {
        "send_batch_size": "int",
        "send_batch_max_size": "int",
        "timeout": "str",
        "metadata_keys": "list",
        "metadata_cardinality_limit": "int",
    },
    "memory_limiter": {
        "check_interval": "str",
        "limit_mib": "int",
        "spike_limit_mib": "int",
        "limit_percentage": "int",
        "spike_limit_percentage": "int",
        "min_gc_interval_when_soft_limited": "str",
        "min_gc_interval_when_hard_limited": "str",
    },
    "filter": {
        "error_mode": "str",
        "metrics": {
            "resource": "list",
            "metric": "list",
            "datapoint": "list",
            "include": NAME_MATCH,
            "exclude": NAME_MATCH,
        },
        "metric_conditions": "list",
    },
    "transform": {
        "error_mode": "str",
        "metric_statements": "list",
        "trace_statements": "list",
        "log_statements": "list",
    },
    "resource": {"attributes": "list"},
    "attributes": {"actions": "list", "include": "map", "exclude": "map"},
    "groupbyattrs": {"keys": "list"},
    "metricstransform": {"transforms": "list"},
    "resourcedetection": {
        "detectors": "list",
        "override": "bool",
        "timeout": "str",
        "system": "any",
        "env": "any",
        "attributes": "list",
        "ec2": "any",
        "gcp": "any",
        "azure": "any",
        "k8snode": "any",
        "docker": "any",
    },
    "cumulativetodelta": {
        "include": {"metrics": "list", "match_type": "str"},
        "exclude": {"metrics": "list", "match_type": "str"},
        "max_staleness": "str",
        "initial_value": "str",
    },
}
EXPORTERS: dict[str, dict[str, Any]] = {
    "otlphttp": {
        "endpoint": "str",
        "metrics_endpoint": "str",
        "traces_endpoint": "str",
        "logs_endpoint": "str",
        "headers": "map",
        "compression": "str",
        "timeout": "str",
        "tls": "map",
        "retry_on_failure": "map",
        "sending_queue": "map",
        "encoding": "str",
    },
    "otlp": {
        "endpoint": "str",
        "headers": "map",
        "compression": "str",
        "timeout": "str",
        "tls": "map",
        "retry_on_failure": "map",
        "sending_queue": "map",
        "balancer_name": "str",
    },
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
PROCESSORS["metrics_transform"] = PROCESSORS["metricstransform"]
PROCESSORS["cumulative_to_delta"] = PROCESSORS["cumulativetodelta"]
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

# OTTL functions the collector knows (a name outside this list is an error in the real one too).
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
