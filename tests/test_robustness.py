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
from netgov.model.core.contract import FINAL_METRICS
from netgov.model.core.errors import ConfigError

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


def test_shipped_example_on_a_dask_localcluster_matches_local_processes(tmp_path: Path) -> None:
    """The shipped study (its policies, uncertainties, calibrated ensemble and claims) in 4 of its worlds, the
    size that shows the executors agree run by run: the same runs on a Dask LocalCluster as on 2 local processes."""
    from dask.distributed import LocalCluster

    text = EXAMPLE.read_text(encoding="utf-8")
    assert "\nsamples = 32 " in text
    spec = tmp_path / "robustness.toml"
    spec.write_text(text.replace("\nsamples = 32 ", "\nsamples = 4 "), encoding="utf-8")
    local = tmp_path / "local"
    result = CliRunner().invoke(cli.app, ["robustness", str(spec), "--out", str(local), "--workers", "2"])
    assert result.exit_code == 0, (result.output, result.exception)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None) as c:
        out = tmp_path / "dask"
        result = CliRunner().invoke(
            cli.app, ["robustness", str(spec), "--out", str(out), "--scheduler", c.scheduler_address]
        )
    assert result.exit_code == 0, (result.output, result.exception)
    assert len(content(local)) == 4 * 3 * 2  # worlds x policies x replications
    pd.testing.assert_frame_equal(content(out), content(local))
    assert (out / "report.html").stat().st_size > 0


def test_robustness_dry_run_and_bad_input(tmp_path: Path) -> None:
    dry = CliRunner().invoke(cli.app, ["robustness", str(EXAMPLE), "--out", str(tmp_path / "x"), "--dry-run"])
    assert dry.exit_code == 0 and "x 3 policies x 2 replications" in dry.output and not (tmp_path / "x").exists()
    assert "a pilot of its heaviest and lightest runs here took" in dry.output and dry.output.endswith(")\n")
    bad = CliRunner().invoke(cli.app, ["robustness", str(EXAMPLE), "--out", str(tmp_path / "y"), "--baseline", "nope"])
    assert bad.exit_code == 2 and "--baseline 'nope'" in bad.output
    args = ["robustness", str(EXAMPLE), "--out", str(tmp_path / "z"), "--metric", "stalled"]
    count = CliRunner().invoke(cli.app, args)
    assert count.exit_code == 2 and "--metric stalled: neither higher nor lower is better" in count.output
    assert not (tmp_path / "z").exists()  # nothing started
    args = ["robustness", str(EXAMPLE), "--out", str(tmp_path / "z"), "--claim", "joint improves legitimacy"]
    claim = CliRunner().invoke(cli.app, args)
    assert claim.exit_code == 2 and "--claim 'joint improves legitimacy' is not allowed: expected" in claim.output
    assert not (tmp_path / "z").exists()
    helped = CliRunner().invoke(cli.app, ["robustness", "--help"], env={"COLUMNS": "200"})
    words = " ".join(helped.output.split())
    assert "a spec with policies and uncertainties tables" in words  # nothing taken for markup
    assert '"P raises M above B by X"' in words and '"P raises M  "' not in words
    (tmp_path / "claims.toml").write_text(
        EXAMPLE.read_text(encoding="utf-8").replace('"minority_gap"]', '"adopted"]'), encoding="utf-8"
    )
    with pytest.raises(ConfigError, match=r"claims.toml: metrics = 'adopted' is not allowed: expected a metric where"):
        load_spec(tmp_path / "claims.toml")


SMALL = """
question = "Does the distributed design raise inclusiveness?"
sampler = "lhs"
samples = {worlds}
replications = 1
seed = 11
steps = 12
[policies]
status_quo = "status_quo_intergovernmental"
distributed = "idp_distributed"
[[claims]]
policy = "distributed"
kind = "raises"
metric = "inclusiveness"
by = 0.01
[[claims]]
policy = "distributed"
kind = "at_least"
metric = "inclusiveness"
threshold = {threshold}
[uncertainties]
openness = {{min = 0.1, max = 0.45}}
acceptance = {{min = 0.05, max = 0.3}}
"participation.cost" = {{min = 1.25, max = 3.75}}
[set]
scale = 0.2
"""


@pytest.mark.parametrize("worlds", [12, 2])
def test_small_studies_run_through_robustness_and_discover(tmp_path: Path, worlds: int, run_netgov) -> None:
    """CART's and PRIM's minimum sizes adapt to a 12-world study; 2 worlds are one line, not a traceback."""
    spec = tmp_path / "small.toml"
    spec.write_text(SMALL.format(worlds=worlds, threshold=0.5), encoding="utf-8")
    out = tmp_path / "out"
    result = run_netgov("robustness", str(spec), "--out", str(out), "--workers", "1")
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    assert (out / "report.html").stat().st_size > 0 and "wrote" in result.stdout
    runs = read_runs(out)
    # a threshold between the worlds: some are cases of interest and some are not
    median = float(runs.loc[runs["policy"] == "distributed", "inclusiveness"].median())
    for args in (
        ["--where", f"inclusiveness < {median}", "--policy", "distributed"],
        ["--claim", f"distributed at_least {median} on inclusiveness"],
        ["--contrast", "distributed", "status_quo", "--metric", "inclusiveness"],
    ):
        found = run_netgov("discover", str(out), *args, "--out", str(tmp_path / "discovery"))
        assert found.returncode == 0 and "Traceback" not in found.stderr, (args, found.stderr)
        if worlds == 2:
            assert (
                f"too few worlds for discovery: {worlds}, need 6" in found.stdout or "case of interest" in found.stdout
            )
    if worlds == 12:
        assert (
            "PRIM box"
            in run_netgov(
                "discover", str(out), "--where", f"inclusiveness < {median}", "--policy", "distributed"
            ).stdout
        )
        where = ["--where", f"inclusiveness < {median}", "--policy", "distributed"]
        picked = run_netgov("discover", str(out), *where, "--box", "99")
        assert picked.returncode == 2 and "--box 99: expected a box on the peeling trajectory, 0 to" in picked.stderr
    else:  # each claim that does not hold everywhere says why there is no box
        page = (out / "report.html").read_text(encoding="utf-8")
        held = pd.read_parquet(out / "claims.parquet")
        mixed = int(((held["share_holds"] > 0) & (held["share_holds"] < 1)).sum())
        assert page.count("too few worlds for discovery: 2, need 6") >= 2 * mixed


def test_a_failed_report_leaves_no_stale_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run_netgov) -> None:
    from netgov.analysis import report
    from netgov.experiment.manifest import read_manifest
    from netgov.experiment.store import read_table

    spec_path = tmp_path / "small.toml"
    spec_path.write_text(SMALL.format(worlds=2, threshold=0.5), encoding="utf-8")
    out = tmp_path / "out"
    assert run_netgov("robustness", str(spec_path), "--out", str(out), "--workers", "1").returncode == 0
    before = {f for f in report.REPORT_FILES if (out / f).exists()}
    assert {"report.html", "claims.parquet", "worlds.csv"} <= before

    def broken(*args: object) -> None:
        raise RuntimeError("plotting failed")

    monkeypatch.setattr(report, "pairs_plot", broken)
    spec = load_spec(spec_path)
    with pytest.raises(RuntimeError, match="plotting failed"):
        report.write_report(spec, out, read_manifest(out), read_runs(out), read_table(out, "steps"), ["inclusiveness"])
    assert [f for f in report.REPORT_FILES if (out / f).exists()] == []  # the previous report is gone, not stale
    left = {p.name for p in out.iterdir()} - {".netgov.lock"}  # the batch's writer lock stays
    assert left == {"runs.parquet", "steps.parquet", "manifest.json"}  # no temporary files either
