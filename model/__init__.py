"""The netgov Mesa model: venues, rules, deliberation and metrics."""

from model.config import ConfigError, ModelConfig
from model.model import STEP_COLUMNS, GovernanceModel

__all__ = ["STEP_COLUMNS", "ConfigError", "GovernanceModel", "ModelConfig"]
