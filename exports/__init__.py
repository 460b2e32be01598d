"""Table downloads shared by every app: CSV, xlsx, JSON, with formula escaping. Knows no
domain model, so that any app may use it."""
