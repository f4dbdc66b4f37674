"""Evaluations of what the physician gets: rewrite quality against gold sets."""
