"""Fixing the server: the generic fix (the exact headers the server must send) and the same
fix in each server stack's own options, with that stack's pitfalls."""
