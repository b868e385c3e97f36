"""The command line: the README's main-job command must run and print its table."""

from sktemporal.__main__ import main


def test_demo_prints_one_row_per_model(capsys, tmp_path):
    has_matplotlib = __import__("importlib").util.find_spec("matplotlib") is not None
    plot = tmp_path / "demo.png" if has_matplotlib else None
    assert main(["demo"] + (["--plot", str(plot)] if plot else [])) == 0
    out = capsys.readouterr().out
    rows = [line for line in out.splitlines() if "NRMSE " in line or "accuracy " in line or "MSE " in line]
    assert len(rows) >= 10
    assert "ESNRegressor" in out and "LSTMRegressor" in out and "TDNNRegressor" in out
    assert sum("GunPoint" in line for line in rows) == 5  # the real-data rows
    if plot:
        assert plot.stat().st_size > 0
