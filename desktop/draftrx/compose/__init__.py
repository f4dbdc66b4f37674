"""Tasks and prompts: what the model is asked to do with a draft (no Qt)."""
