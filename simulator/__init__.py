"""Process-load simulator (to come)."""
