"""Phoenix domain: aggregates, commands, events and the lifecycle, free of I/O."""
