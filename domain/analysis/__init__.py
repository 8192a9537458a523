"""The analysis: what a variant emitted, its cost, which processes are critical, and the verdict."""
