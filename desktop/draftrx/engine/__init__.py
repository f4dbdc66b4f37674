"""Local model runtime: GGUF checks, model location, streaming generation (no Qt)."""

from draftrx.engine.engine import Engine, EngineConfig
from draftrx.engine.errors import EngineError
from draftrx.engine.events import (
    GenerationParams,
    StreamEvent,
    StreamStats,
    TextPiece,
    collect,
)

__all__ = [
    "Engine",
    "EngineConfig",
    "EngineError",
    "GenerationParams",
    "StreamEvent",
    "StreamStats",
    "TextPiece",
    "collect",
]
