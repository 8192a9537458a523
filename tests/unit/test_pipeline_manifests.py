"""What a ProcessPipeline becomes: the collector's config as it runs on a node, and its objects."""

from __future__ import annotations

from typing import Any

import yaml

from adapters.kube.manifests import HOSTFS, SHA_ANNOTATION, children, collector_config
from tests.pipeline_configs import user_config


def pipeline(**spec: Any) -> dict[str, Any]:
    return {"metadata": {"name": "prod", "namespace": "fleet", "uid": "u-1"}, "spec": spec}


def test_the_host_s_root_is_where_the_process_scraper_reads_and_a_health_check_is_added() -> None:
    config = yaml.safe_load(collector_config({"config": user_config()}))
    assert config["receivers"]["hostmetrics"]["root_path"] == HOSTFS
    assert config["extensions"] == {"health_check": {"endpoint": "0.0.0.0:13133"}}
    assert config["service"]["extensions"] == ["health_check"]


def test_a_template_is_rendered_with_its_variables() -> None:
    config = yaml.safe_load(
        collector_config(
            {"template": "process-topk-v1", "variables": {"collection_interval": "30s"}}
        )
    )
    assert config["receivers"]["hostmetrics"]["collection_interval"] == "30s"
    assert config["extensions"]["health_check"]["endpoint"] == "0.0.0.0:13133"  # its port


def test_a_new_config_rolls_the_pods_and_the_objects_belong_to_the_pipeline() -> None:
    _, before = children(pipeline(config=user_config()))
    config_map, after = children(pipeline(config=user_config(interval="30s")))
    sha = after["spec"]["template"]["metadata"]["annotations"][SHA_ANNOTATION]
    assert sha != before["spec"]["template"]["metadata"]["annotations"][SHA_ANNOTATION]
    assert config_map["metadata"]["annotations"][SHA_ANNOTATION] == sha
    for obj in (config_map, after):
        [owner] = obj["metadata"]["ownerReferences"]
        assert (owner["uid"], owner["controller"]) == ("u-1", True)
        assert obj["metadata"]["namespace"] == "fleet"


def test_named_hosts_become_a_required_node_affinity_and_none_means_any_node() -> None:
    _, daemon_set = children(pipeline(config=user_config(), hosts=["web-2", "web-1"]))
    _, anywhere = children(pipeline(config=user_config()))

    affinity = daemon_set["spec"]["template"]["spec"]["affinity"]["nodeAffinity"]
    [term] = affinity["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"]
    assert term["matchExpressions"] == [
        {"key": "kubernetes.io/hostname", "operator": "In", "values": ["web-1", "web-2"]}
    ]
    assert anywhere["spec"]["template"]["spec"]["affinity"] == {}


def test_a_loopback_health_check_listens_on_the_pod_s_address_for_the_kubelet_s_probes() -> None:
    body = yaml.safe_load(user_config())
    body["extensions"] = {"health_check": {"endpoint": "127.0.0.1:13999"}}
    body["service"]["extensions"] = ["health_check"]
    config = yaml.safe_load(collector_config({"config": yaml.safe_dump(body)}))

    assert config["extensions"]["health_check"]["endpoint"] == "0.0.0.0:13999"
