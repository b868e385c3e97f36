"""The check that the built docs load nothing from the network (run by CI on the built site)."""

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("check_offline", ROOT / "docs" / "_ext" / "check_offline.py")
check_offline = importlib.util.module_from_spec(spec)
spec.loader.exec_module(check_offline)


def test_loaded_remote_resources_are_found_and_links_are_not(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "page.html").write_text(
        '<script src="https://cdn.example/x.js"></script>'
        '<link rel="stylesheet" href="//cdn.example/y.css">'
        "<img alt='a' src='http://img.example/z.png'>"
        '<a href="https://numpy.org/doc/">a link the reader follows</a>'
        '<script src="_static/local.js"></script><link href="_static/s.css" rel="stylesheet">')
    found = check_offline.remote_resources(tmp_path)
    assert found == [("sub/page.html", "https://cdn.example/x.js"),
                     ("sub/page.html", "//cdn.example/y.css"),
                     ("sub/page.html", "http://img.example/z.png")]


def test_the_sphinx_gallery_timing_pages_are_off():
    conf = (ROOT / "docs" / "conf.py").read_text(encoding="utf-8")
    assert '"write_computation_times": False' in conf
