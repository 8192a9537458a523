"""Collector-config knowledge: templates, renderer, validator, evaluator (to come)."""
