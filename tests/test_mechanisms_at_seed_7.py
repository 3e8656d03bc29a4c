"""Every claimed sign of docs/mechanisms.md holds on the model at a master seed other than the page's: the signs
must not hang on the page's draws."""

from __future__ import annotations

import pytest
from directions import BY_NAME, check_direction


@pytest.mark.slow
@pytest.mark.parametrize("name", list(BY_NAME))
def test_claimed_direction_holds(name: str) -> None:
    check_direction(name, 7)
