"""A reduction spliced into a user's config changes nothing else of it: the diff is the reduction."""

from __future__ import annotations

import pytest
import yaml

from pipelines.splice import splice
from pipelines.validator import validate_text
from pipelines.wiring import process_pipeline
from tests.pipeline_configs import EXAMPLE, user_config

VARIABLES = {"critical_processes": ["^postgres$"], "collection_interval": "10s"}
PROCESSORS_LINE = "      processors: [memory_limiter, resource, batch]"


def test_every_line_of_the_user_s_config_stays_but_the_pipeline_s_list_of_processors() -> None:
    spliced = splice(EXAMPLE, "process-aggregated-v1", VARIABLES)
    validate_text(spliced)
    assert set(EXAMPLE.splitlines()) - set(spliced.splitlines()) == {PROCESSORS_LINE}
    assert spliced.startswith("# A collector as a platform team might run it")  # comments kept
    order = process_pipeline(yaml.safe_load(spliced)).processors
    assert order[0] == "memory_limiter" and order[-2:] == ("resource", "batch")
    assert "transform/strip_identity" in order


def test_without_a_memory_limiter_the_reduction_comes_first() -> None:
    order = process_pipeline(
        yaml.safe_load(splice(user_config(), "process-aggregated-v1", VARIABLES))
    ).processors
    assert order[0] == "transform/strip_identity" and order[-1] == "batch"


def test_a_processor_the_user_defined_under_the_template_s_name_is_refused() -> None:
    taken = user_config({"groupbyattrs/compact": {}})
    with pytest.raises(ValueError, match="processors: groupbyattrs/compact already defined"):
        splice(taken, "process-aggregated-v1", VARIABLES)
