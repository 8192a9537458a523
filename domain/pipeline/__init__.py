"""The Pipeline aggregate: a user's collector config, registered and versioned in the event log."""
