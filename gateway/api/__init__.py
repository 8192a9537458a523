"""The Litestar read API: thin routes over the read tables, the log and the bus."""
