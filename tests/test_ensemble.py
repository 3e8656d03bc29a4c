"""The calibrated ensemble: loading it checks everything first, draws are paired, and a scenario's own keys win."""

from __future__ import annotations

import pandas as pd
import pytest

from netgov import ConfigError
from netgov.experiment.ensemble import SHIPPED, Ensemble
from netgov.experiment.replications import replicate
from netgov.scenarios.loader import load
from netgov.validation.calibrate import priors


def _write(tmp_path, rows: list[dict], name: str = "e.parquet"):
    path = tmp_path / name
    pd.DataFrame(rows).to_parquet(path, index=False)
    return path


def test_shipped_ensemble_holds_the_free_parameters_with_weights() -> None:
    ens = Ensemble.load("calibrated")
    assert ens.path == SHIPPED
    assert set(ens.keys) == {p.key for p in priors()}
    assert ens.table["weight"].sum() == pytest.approx(1.0)
    for p in priors():
        assert ens.table[p.key].between(p.low, p.high).all(), p.key


def test_bad_ensembles_are_one_line_errors(tmp_path) -> None:
    cases = {
        str(tmp_path / "e.csv"): "expected `calibrated` or a .parquet file",
        str(tmp_path / "missing.parquet"): "no such file",
        str(_write(tmp_path, [{"travel_cost": 1.0}], "now.parquet")): "no `weight` column",
        str(
            _write(tmp_path, [{"travel_cots": 1.0, "weight": 1.0}], "typo.parquet")
        ): "'travel_cots' is not a parameter",
        str(_write(tmp_path, [{"travel_cost": 9.0, "weight": 1.0}], "range.parquet")): "travel_cost = 9.0",
        str(_write(tmp_path, [{"travel_cost": 1.0, "weight": -1.0}], "neg.parquet")): "weight must be finite, >= 0",
    }
    (tmp_path / "junk.parquet").write_text("not parquet")
    cases[str(tmp_path / "junk.parquet")] = "not a readable Parquet file"
    for ref, needle in cases.items():
        with pytest.raises(ConfigError, match=None) as err:
            Ensemble.load(ref)
        assert needle in str(err.value) and "\n" not in str(err.value), (ref, str(err.value))


def test_draws_follow_the_weights_and_repeat(tmp_path) -> None:
    path = _write(tmp_path, [{"travel_cost": 0.5, "weight": 0.0}, {"travel_cost": 1.0, "weight": 3.0}])
    ens = Ensemble.load(path)
    assert {ens.index(7, r) for r in range(50)} == {1}  # a zero-weight set is never drawn
    shipped = Ensemble.load("calibrated")
    draws = [shipped.index(0, r) for r in range(40)]
    assert draws == [shipped.index(0, r) for r in range(40)] and len(set(draws)) > 5


def test_every_design_of_a_replication_runs_in_the_same_draw_and_keeps_its_own_membership(tmp_path) -> None:
    rows = [
        {"actors.civil_society": 300, "actors.business": 50, "travel_cost": 0.4, "weight": 1.0},
        {"actors.civil_society": 120, "actors.business": 90, "travel_cost": 1.2, "weight": 1.0},
    ]
    ens = Ensemble.load(_write(tmp_path, rows))
    scenarios = {n: load(n, {"steps": 2}) for n in ("idp_distributed", "wgec_body_2013")}
    out = replicate(scenarios, 6, seed=1, ensemble=ens)
    per_rep = out.groupby("replication")["world"].nunique()
    assert (per_rep == 1).all() and out["world"].nunique() == 2
    from netgov.scenarios.loader import in_world

    idp = in_world(scenarios["idp_distributed"], ens.row(0)).config
    wgec = in_world(scenarios["wgec_body_2013"], ens.row(0)).config
    assert (idp.actors.civil_society, idp.travel_cost) == (300, 0.4)
    assert (wgec.actors.civil_society, wgec.travel_cost) == (5, 0.4)  # the body's membership is its design


def test_replicate_with_an_ensemble_needs_scenarios() -> None:
    with pytest.raises(TypeError, match="needs Scenarios"):
        replicate({"a": load(None).config}, 1, ensemble=Ensemble.load("calibrated"))


def test_compare_with_the_ensemble_pairs_designs_and_bad_files_are_one_line(run_netgov, tmp_path) -> None:
    diffs = tmp_path / "d.csv"
    args = ["compare", "defaults", "short_notice", "--reps", "3", "--steps", "3", "--ensemble", "calibrated"]
    result = run_netgov(*args, "--workers", "1", "--diffs", str(diffs))
    assert result.returncode == 0, result.stderr
    assert "drawn from" in result.stdout and diffs.stat().st_size > 0
    bad = run_netgov("compare", "defaults", "short_notice", "--ensemble", str(tmp_path / "none.parquet"))
    assert bad.returncode == 2 and "--ensemble" in bad.stderr and "no such file" in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1 and "Traceback" not in bad.stderr


def test_a_batch_draws_one_parameter_set_per_replication_for_every_policy(tmp_path) -> None:
    """Batch CRN with an ensemble: the `world` column is the same across policies and points of a replication."""
    from netgov.experiment.batch import run_batch
    from netgov.experiment.specfile import parse_spec

    rows = [
        {"actors.civil_society": 300, "travel_cost": 0.4, "weight": 1.0},
        {"actors.civil_society": 120, "travel_cost": 1.2, "weight": 1.0},
    ]
    path = _write(tmp_path, rows)
    raw = {
        "replications": 4,
        "steps": 2,
        "ensemble": str(path),
        "policies": {"idp": "idp_distributed", "wgec": "wgec_body_2013"},
        "uncertainties": {"notice_period": [1, 6]},
    }
    spec = parse_spec(raw, None)
    tasks = spec.runs()
    by_rep = {}
    for t in tasks:
        by_rep.setdefault(t.replication, set()).add(t.world)
        cfg = spec.compose(t)
        want = spec.ensemble.row(t.world)
        assert cfg["travel_cost"] == want["travel_cost"]
        members = cfg["actors"]["civil_society"]
        assert members == (5 if t.policy == "wgec" else want["actors.civil_society"])  # a body keeps its own
        assert cfg["notice_period"] == t.params["notice_period"]  # the sampled world wins over a draw
    assert all(len(w) == 1 for w in by_rep.values())
    out = tmp_path / "batch"
    result = run_batch(spec, out, workers=1, show_progress=False)
    assert not result.failed
    runs = pd.read_parquet(out / "runs.parquet")
    assert runs.groupby("replication")["world"].nunique().eq(1).all()
    assert set(runs["world"]) == {t.world for t in tasks}
