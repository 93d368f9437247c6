"""`evaluate --input`: a canonical Parquet file is read by the engine itself, any other file
through the checked frame, and both give the same results to the last digit, the same summary
and the same input_hash; the results do not depend on the order of the rows in the file."""

from __future__ import annotations

import json

import polars as pl
import pytest
from typer.testing import CliRunner

from evaluation_fixtures import YEAR, mixed
from industry_brain.cli.main import build_app
from industry_brain.core.settings import get_settings
from industry_brain.evaluation.files import evaluate_file
from industry_brain.evaluation.method import load_method
from industry_brain.evaluation.service import compute, input_hash

runner = CliRunner()


def facts() -> pl.DataFrame:
    # two years, so the year filter matters; enough rows that summation order shows
    both = pl.concat(
        [
            mixed(seed=5, n=3000),
            mixed(seed=6, n=50).with_columns(pl.lit(YEAR - 1, dtype=pl.Int64).alias("year")),
        ]
    )
    return both


def cli(*args: str) -> dict:
    result = runner.invoke(build_app(), ["evaluate", "--year", str(YEAR), *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.mark.parametrize("method", ["huangyan-2022", "zhejiang-aggregate"])
def test_the_file_read_by_the_engine_gives_the_results_of_the_frame(tmp_path, method):
    data = facts()
    parquet, text = tmp_path / "facts.parquet", tmp_path / "facts.csv"
    data.write_parquet(parquet)
    data.write_csv(text)
    settings = get_settings(database_url=f"sqlite:///{tmp_path / 'x.db'}")
    direct = evaluate_file(parquet, load_method(method), year=YEAR, settings=settings)
    via_frame = evaluate_file(text, load_method(method), year=YEAR, settings=settings)
    assert direct.read_by_engine and not via_frame.read_by_engine
    assert direct.results is not None and via_frame.results is not None
    assert direct.results.equals(via_frame.results)
    expected = compute(data.filter(pl.col("year") == YEAR), load_method(method), year=YEAR)
    assert direct.results.equals(expected)
    assert direct.input_hash == via_frame.input_hash == input_hash(data.filter(pl.col("year") == YEAR))


def test_the_cli_writes_the_same_results_file_either_way(tmp_path):
    data = facts()
    data.write_parquet(tmp_path / "facts.parquet")
    data.write_csv(tmp_path / "facts.csv")
    a = cli("--input", str(tmp_path / "facts.parquet"), "--output", str(tmp_path / "a.parquet"))
    b = cli("--input", str(tmp_path / "facts.csv"), "--output", str(tmp_path / "b.parquet"))
    assert a == b
    assert a["enterprises"] == 3000 and sum(a["grades"].values()) == 3000
    first, second = pl.read_parquet(tmp_path / "a.parquet"), pl.read_parquet(tmp_path / "b.parquet")
    assert first.schema == second.schema and first.equals(second)
    assert not list(tmp_path.glob("*.part"))
    cli("--input", str(tmp_path / "facts.parquet"), "--output", str(tmp_path / "a.csv"))
    cli("--input", str(tmp_path / "facts.csv"), "--output", str(tmp_path / "b.csv"))
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()


def test_the_results_do_not_depend_on_the_order_of_the_rows(tmp_path):
    data = facts()
    method = load_method("huangyan-2022")
    results = []
    for seed in (1, 2):
        path = tmp_path / f"shuffled{seed}.parquet"
        data.sample(fraction=1.0, shuffle=True, seed=seed).write_parquet(path, row_group_size=700)
        settings = get_settings(database_url=f"sqlite:///{tmp_path / 'x.db'}")
        done = evaluate_file(path, method, year=YEAR, settings=settings)
        assert done.read_by_engine
        results.append(done.results)
    assert results[0] is not None and results[0].equals(results[1])  # every digit of every sum
    assert results[0].equals(compute(data, method, year=YEAR))
