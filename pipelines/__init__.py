"""Collector-config knowledge: templates, variables, rendering, the validator, OTTL, one package per processor, the evaluator and the estimator."""
