"""Fail when a built HTML page loads a resource from the network.

Usage: ``python docs/_ext/check_offline.py docs/_build/html``.  A loaded resource is the
``src`` of a ``script``, ``img``, ``iframe``, ``audio``, ``video`` or ``source`` element
and the ``href`` of a ``link`` element (stylesheets, icons, preloads); a link the reader
follows (``<a href>``) is not loaded.  Any such address starting with ``http:``,
``https:`` or ``//`` is reported.
"""

import pathlib
import re
import sys

LOADED = re.compile(
    r"<(?:(?:script|img|iframe|audio|video|source)\b[^>]*?\bsrc|link\b[^>]*?\bhref)"
    r"\s*=\s*[\"']((?:https?:)?//[^\"']*)", re.IGNORECASE)


def remote_resources(root):
    """``(page, address)`` of every resource a page under ``root`` loads from the network."""
    found = []
    for page in sorted(pathlib.Path(root).rglob("*.html")):
        for address in LOADED.findall(page.read_text(encoding="utf-8", errors="replace")):
            found.append((page.relative_to(root).as_posix(), address))
    return found


if __name__ == "__main__":
    root = sys.argv[1] if len(sys.argv) > 1 else "docs/_build/html"
    found = remote_resources(root)
    for page, address in found:
        print(f"{page}: loads {address}")
    if not list(pathlib.Path(root).rglob("*.html")):
        sys.exit(f"no HTML page under {root}")
    sys.exit(1 if found else 0)
