"""The Experiment aggregate: an A/B comparison of collector pipelines, start to verdict."""
