"""Reusable UI pieces; each function owns its widget keys."""
