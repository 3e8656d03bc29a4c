"""Policies x uncertainties, common random numbers, and the robustness report (local processes, a real Dask
LocalCluster on 127.0.0.1, and the report opened offline in headless Chromium)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from netgov import cli
from netgov.analysis.contrasts import Contrast, contrast_table, paired
from netgov.experiment.batch import run_batch
from netgov.experiment.spec import EXAMPLE_DIR
from netgov.experiment.specfile import load_spec
from netgov.experiment.store import read_runs
from netgov.model.core.config import ConfigError
from netgov.model.core.contract import FINAL_METRICS

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]
EXAMPLE = EXAMPLE_DIR / "robustness.toml"
TWINS = """
sampler = "lhs"
samples = 4
replications = 2
seed = 3
steps = 12
[policies]
first = "idp_distributed"
again = "idp_distributed"
rules = {{ base = "idp_distributed", notice_period = 9 }}
[uncertainties]
openness = {{min = 0.1, max = 0.4}}
"actors.business" = {{min = 20, max = 60}}
[set]
scale = 0.2
{extra}
"""


def content(out: Path) -> pd.DataFrame:
    return read_runs(out).drop(columns=["elapsed_s"])


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped robustness example through `netgov robustness` on 2 local processes."""
    out = tmp_path_factory.mktemp("robustness") / "out"
    result = CliRunner().invoke(cli.app, ["robustness", str(EXAMPLE), "--out", str(out), "--workers", "2"])
    assert result.exit_code == 0, (result.output, result.exception)
    return out


def test_every_policy_runs_in_every_world_with_common_random_numbers(tmp_path: Path) -> None:
    spec = load_spec(_write(tmp_path))
    assert spec.policy_names == ["first", "again", "rules"] and spec.names == ["openness", "actors.business"]
    out = tmp_path / "out"
    assert run_batch(spec, out, workers=1, show_progress=False).failed == 0
    runs = read_runs(out)
    assert len(runs) == 4 * 3 * 2 and list(runs["run_id"]) == list(range(24))
    # each world is the same under every policy; each replication has one seed everywhere
    per_world = runs.groupby("point")[["openness", "actors.business"]].nunique()
    assert (per_world == 1).all().all()
    assert (runs.groupby("replication")["seed"].nunique() == 1).all()
    assert (runs.loc[runs["policy"] == "rules", "notice_period"] == 9).all()
    assert set(runs.loc[runs["policy"] != "rules", "notice_period"]) == {
        int(spec.policy("first").scenario.config.notice_period)
    }
    # two identical policies: the paired difference is exactly 0 in every run and metric
    pairs = paired(runs, Contrast("policy", "again", "first"), spec.names)
    assert len(pairs) == 8
    for m in FINAL_METRICS:
        a, b = pairs[f"a:{m}"].astype(float).to_numpy(), pairs[f"b:{m}"].astype(float).to_numpy()
        assert np.array_equal(a, b, equal_nan=True), m
    table = contrast_table(runs, Contrast("policy", "again", "first"), spec.names, ["participation_rate"])
    assert table.loc[0, "diff_mean"] == 0 and table.loc[0, "diff_lo"] == 0 and table.loc[0, "diff_hi"] == 0


def test_policy_spec_errors_are_one_line(tmp_path: Path) -> None:
    bad = _write(tmp_path, "clash.toml").read_text().replace("notice_period = 9", "openness = 0.2")
    (tmp_path / "clash.toml").write_text(bad)
    with pytest.raises(ConfigError, match=r"policies.rules: openness is set by the policy and also varied"):
        load_spec(tmp_path / "clash.toml")
    (tmp_path / "unknown.toml").write_text(
        _write(tmp_path).read_text().replace('again = "idp_distributed"', 'again = "nowhere"')
    )
    with pytest.raises(ConfigError, match="nowhere"):
        load_spec(tmp_path / "unknown.toml")
    (tmp_path / "range.toml").write_text(_write(tmp_path).read_text().replace("max = 60", "max = 60000"))
    with pytest.raises(ConfigError, match=r"uncertainties.actors.business = 60000 is not allowed"):
        load_spec(tmp_path / "range.toml")


def _write(tmp_path: Path, name: str = "twins.toml", extra: str = "") -> Path:
    path = tmp_path / name
    path.write_text(TWINS.format(extra=extra), encoding="utf-8")
    return path


def test_shipped_example_paired_cis_are_narrower_than_unpaired(example: Path) -> None:
    runs = read_runs(example)
    spec = load_spec(EXAMPLE)
    assert len(runs) == spec.n_points() * 3 * spec.replications and (runs["status"] == "ok").all()
    for policy in ("distributed", "joint"):
        table = contrast_table(runs, Contrast("policy", policy, "status_quo"), spec.names, ["inclusiveness"])
        row = table.iloc[0]
        assert row["pairs"] == spec.n_points() * spec.replications
        assert row["diff_hi"] - row["diff_lo"] < row["unpaired_hi"] - row["unpaired_lo"]
    for name in ("report.html", "contrasts.parquet", "holds.parquet"):
        assert (example / name).stat().st_size > 0
    held = pd.read_parquet(example / "holds.parquet")
    assert ((held["share_holds"] >= 0) & (held["share_holds"] <= 1)).all() and len(held) == 2 * len(spec.metrics)
    assert list(held["metric"].unique()) == list(spec.metrics)  # the spec's own claims
    assert "distributed lowers minority_gap below status_quo" in set(held["recommendation"])


def test_shipped_example_on_a_dask_localcluster_matches_local_processes(example: Path, tmp_path: Path) -> None:
    from dask.distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None) as c:
        out = tmp_path / "dask"
        result = CliRunner().invoke(
            cli.app, ["robustness", str(EXAMPLE), "--out", str(out), "--scheduler", c.scheduler_address]
        )
    assert result.exit_code == 0, (result.output, result.exception)
    pd.testing.assert_frame_equal(content(out), content(example))
    assert (out / "report.html").stat().st_size > 0


def test_report_opens_offline_in_chromium_with_every_plot_rendered(example: Path) -> None:
    from tests.browser import chromium_browser

    blocked: list[str] = []
    with chromium_browser() as browser:
        context = browser.new_context(viewport={"width": 1200, "height": 900})

        def route(r) -> None:  # nothing may leave the machine: the file must be self-contained
            if r.request.url.startswith("file://"):
                r.continue_()
            else:
                blocked.append(r.request.url)
                r.abort()

        context.route("**/*", route)
        page = context.new_page()
        page.goto((example / "report.html").as_uri())
        page.wait_for_load_state("load")
        images = page.evaluate(
            "() => [...document.images].map(i => ({ok: i.complete && i.naturalWidth > 0, w: i.naturalWidth}))"
        )
        text = page.inner_text("body")
        context.close()
    assert blocked == []
    assert len(images) >= 2 and all(i["ok"] for i in images), images
    for heading in (
        "Question",
        "Spec",
        "Outcomes across worlds",
        "Paired contrasts",
        "Where each recommendation holds",
        "Where it fails",
        "Versions and seeds",
    ):
        assert heading in text
    assert load_spec(EXAMPLE).question in text and "Master seed 2016" in text


def test_robustness_dry_run_and_bad_input(tmp_path: Path) -> None:
    dry = CliRunner().invoke(cli.app, ["robustness", str(EXAMPLE), "--out", str(tmp_path / "x"), "--dry-run"])
    assert dry.exit_code == 0 and "x 3 policies x 2 replications" in dry.output and not (tmp_path / "x").exists()
    bad = CliRunner().invoke(cli.app, ["robustness", str(EXAMPLE), "--out", str(tmp_path / "y"), "--baseline", "nope"])
    assert bad.exit_code == 2 and "--baseline 'nope'" in bad.output
    args = ["robustness", str(EXAMPLE), "--out", str(tmp_path / "z"), "--metric", "stalled"]
    count = CliRunner().invoke(cli.app, args)
    assert count.exit_code == 2 and "--metric stalled: neither higher nor lower is better" in count.output
    assert not (tmp_path / "z").exists()  # nothing started
    (tmp_path / "claims.toml").write_text(
        EXAMPLE.read_text(encoding="utf-8").replace('"minority_gap"]', '"adopted"]'), encoding="utf-8"
    )
    with pytest.raises(ConfigError, match=r"claims.toml: metrics = 'adopted' is not allowed: expected a metric where"):
        load_spec(tmp_path / "claims.toml")
