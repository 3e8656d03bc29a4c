"""How long reading and checking a spec takes at the largest the loader accepts (issue 30, defect 7).

Target: at most 2 s for any spec on the project's 2-core machine, refused or accepted. The largest spec file
is 256 KB (``scenarios.loader.MAX_BYTES``): about 127,000 list values. Under three policies that is
381,000 runs: refused by the design-point ceiling from the spec's shape, before any value is checked; with
``--i-know`` every value is checked against its field in one call and a few under every policy. (Before
issue 30 each value was validated as a whole config under every policy first: 490,000 values took 130 s.)
"""

from __future__ import annotations

from pathlib import Path

import pytest

from netgov.experiment import limits
from netgov.experiment.specfile import load_spec
from netgov.model.core.errors import ConfigError
from netgov.scenarios.loader import MAX_BYTES

POLICIES = "[policies]\na = { notice_period = 1 }\nb = { notice_period = 2 }\nc = { notice_period = 3 }\n"


@pytest.fixture(scope="module")
def largest(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A spec of as many list values as the loader's file-size ceiling lets in, under three policies."""
    head = f'summary = "the largest spec"\nsteps = 2\n{POLICIES}[parameters]\nagenda.rate = ['
    n = (MAX_BYTES - len(head) - 2) // 2
    path = tmp_path_factory.mktemp("spec") / "largest.toml"
    path.write_text(head + ",".join(str(i % 10) for i in range(n)) + "]\n", encoding="utf-8")
    assert path.stat().st_size <= MAX_BYTES
    return path


def test_the_largest_spec_is_refused_from_its_shape(benchmark, largest: Path) -> None:
    def once() -> None:
        with pytest.raises(ConfigError, match="MAX_POINTS"):
            load_spec(largest)

    benchmark.pedantic(once, rounds=5, iterations=1, warmup_rounds=1)
    benchmark.extra_info["bytes"] = largest.stat().st_size


def test_the_largest_spec_is_checked_value_by_value_with_i_know(benchmark, largest: Path) -> None:
    def once() -> None:
        spec = load_spec(largest, i_know=True)
        limits.check_spec(spec, i_know=True)

    benchmark.pedantic(once, rounds=5, iterations=1, warmup_rounds=1)
    benchmark.extra_info["values"] = len(load_spec(largest, i_know=True).parameters[0].values)
