"""netgov: an agent-based simulation of networked internet governance.

The public names below are imported on first use, so ``import netgov`` (and ``netgov --help``)
stays cheap: Mesa, pandas and the rest load only when a model is built.

    from netgov import GovernanceModel, compare, differences, load_scenario, run
    m = GovernanceModel(rng=1, notice_period=6)
    m = GovernanceModel.from_scenario("idp_distributed", rng=1, notice_period=1)
    m.run_for(36)
    m.plot()
    result = run("idp_distributed", seed=3, notice_period=1)  # .steps, .issues
    compare(["status_quo_intergovernmental", "idp_distributed"], reps=10)
    differences(["status_quo_intergovernmental", "idp_distributed"], reps=10)  # paired, vs the first
"""

from __future__ import annotations

import importlib
from pkgutil import extend_path
from typing import Any

# In the checkout this folder holds only part of the package (netgov.model is model/, and so on): a
# Python started in the checkout finds this folder first, and the rest comes from the installed link
# tree (make setup's strict editable install), which this adds to the package's search path.
__path__ = extend_path(__path__, __name__)

__version__ = "0.1.0"

#: Public name -> the module that defines it.
_API: dict[str, str] = {
    "GovernanceModel": "netgov.model.model",
    "ModelConfig": "netgov.model.core.config",
    "ConfigError": "netgov.model.core.errors",
    "STEP_COLUMNS": "netgov.model.core.contract",
    "load_scenario": "netgov.scenarios.loader",
    "run": "netgov.api",
    "compare": "netgov.api",
    "differences": "netgov.api",
}

__all__ = ["__version__", *_API]


def __getattr__(name: str) -> Any:
    if name not in _API:
        raise AttributeError(f"module 'netgov' has no attribute {name!r}")
    module = importlib.import_module(_API[name])
    return getattr(module, "load" if name == "load_scenario" else name)
