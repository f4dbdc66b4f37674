"""Errors the engine raises; each message is written for the physician who sees it."""


class EngineError(Exception):
    """Base class: the engine refused or failed, and is still usable afterwards."""


class ModelFileError(EngineError):
    """The file is not a usable GGUF model (wrong magic, truncated, unsupported)."""


class DefaultModelError(EngineError):
    """The default model could not be located or assembled."""


class InsufficientMemoryError(EngineError):
    """Loading the model would not fit in the memory that is free now."""


class ChatTemplateError(EngineError):
    """The model has no chat template, or its template cannot render a conversation."""


class ContextOverflowError(EngineError):
    """The prompt does not fit in the model's context window."""


class ModelLoadError(EngineError):
    """llama.cpp refused to load a file that passed our own checks."""


class WrongThreadError(EngineError):
    """A Llama object may only be used from the thread that loaded it."""
