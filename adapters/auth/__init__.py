"""Identity: signing keys, tokens, and their verification."""
