"""Step types, registered by the `type:` string they answer to in a flow file. Importing this
package loads every step module, so the registry is complete."""

from __future__ import annotations

from flows.steps import action, ask, choose_language, input, say, scale
from flows.steps.registry import REGISTRY, Linear, StepType, register

__all__ = [
    "REGISTRY",
    "Linear",
    "StepType",
    "action",
    "ask",
    "choose_language",
    "input",
    "register",
    "say",
    "scale",
]
