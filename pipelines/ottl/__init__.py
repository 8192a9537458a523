"""OTTL, the subset Phoenix understands: parsing, and evaluation in each telemetry context."""
