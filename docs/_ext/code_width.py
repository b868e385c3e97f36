"""Warn about code lines wider than the page shows.

At a 1280 px window the pydata theme's article column shows about 73 characters of a
code block; anything wider hides behind a scroll bar (a result at the end of a line is
easy to miss).  With ``-W`` the warning fails the build.  The API pages are left out
(their signatures and docstrings follow numpydoc's own layout).
"""

import re

from docutils import nodes
from sphinx.util import logging

MAX_WIDTH = 73
CHECKED = ("index", "install", "user_guide/", "auto_examples/")

logger = logging.getLogger(__name__)
# Sphinx strips doctest flags from what it shows (``trim_doctest_flags``)
DOCTEST_FLAGS = re.compile(r"\s*#\s*doctest:.+$")


def _check(app, doctree):
    docname = app.env.docname
    if not docname.startswith(CHECKED) or docname.endswith("sg_execution_times"):
        return
    for node in doctree.findall(lambda n: isinstance(n, (nodes.literal_block, nodes.doctest_block))):
        if node.get("language") in ("bibtex", "none", "text"):
            continue
        for line in node.astext().splitlines():
            line = DOCTEST_FLAGS.sub("", line)
            if len(line) > MAX_WIDTH:
                logger.warning(
                    "code line of %d characters (at most %d show at page width): %r",
                    len(line),
                    MAX_WIDTH,
                    line[:60] + "...",
                    location=node,
                    type="sktemporal",
                    subtype="code_width",
                )


def setup(app):
    app.connect("doctree-read", _check)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
