"""Lambda entry points."""
