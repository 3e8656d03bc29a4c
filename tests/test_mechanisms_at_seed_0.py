"""Every claimed sign of docs/mechanisms.md holds on the model at the page's master seed."""

from __future__ import annotations

import pytest
from directions import BY_NAME, check_direction


@pytest.mark.slow
@pytest.mark.parametrize("name", list(BY_NAME))
def test_claimed_direction_holds(name: str) -> None:
    check_direction(name, 0)
