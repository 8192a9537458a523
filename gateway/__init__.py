"""Phoenix gateway: the ways in (API, CLI) and the composition root."""
