"""The collector processors the local evaluator runs, each with the real one's semantics."""
