"""Phoenix application layer: command handling, reactors and the ports they need."""
