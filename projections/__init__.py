"""Phoenix read models: tables, projectors and the queries the API calls."""
