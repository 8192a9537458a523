"""In-memory adapters: fakes for pure unit tests, held to the same contract suites."""
