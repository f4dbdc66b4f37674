"""Patient privacy: find identifiers and vague-posting cues, fictionalise them, re-check output.

Deterministic code, never the language model: a small model copies identifiers straight
into its rewrite. No Qt here.
"""
