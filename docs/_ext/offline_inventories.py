"""Intersphinx without the network: inventories written from small hand-kept tables.

Intersphinx downloads each project's ``objects.inv`` when the docs are built.  This
package's documentation must build where there is no network (CI, offline
laptops), so each linked project has a table in ``docs/_inventories/<key>.txt``
listing the names these docs refer to, and :func:`intersphinx_mapping` writes a real
(version 2) inventory from it before the build.  Intersphinx then resolves roles,
``~`` abbreviations and numpydoc types exactly as it would with the downloaded file,
and ``sphinx -n`` reports any name missing from a table.

Table format, one entry per line (``#`` starts a comment)::

    # url: https://scikit-learn.org/stable/          the project's documentation root
    # pattern: modules/generated/{name}.html#$       page of entries given without a uri
    sklearn.pipeline.Pipeline py:class
    user_guide std:doc user_guide.html User Guide
    metadata_routing std:label metadata_routing.html#$ Metadata Routing

``name role [uri [display name]]``; in the uri, ``$`` stands for the name (intersphinx's
own convention) and ``{name}`` is replaced by the name when the inventory is written.
"""

import os
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
TABLES = os.path.join(os.path.dirname(HERE), "_inventories")


def read_table(path):
    """``(url, entries)`` of one table; entries are ``(name, role, uri, dispname)``."""
    url, pattern, entries = None, None, []
    with open(path, encoding="utf-8") as fh:
        for lineno, raw in enumerate(fh, 1):
            line = raw.strip()
            if line.startswith("# url:"):
                url = line.split(":", 1)[1].strip()
                continue
            if line.startswith("# pattern:"):
                pattern = line.split(":", 1)[1].strip()
                continue
            if not line or line.startswith("#"):
                continue
            parts = line.split(None, 3)
            if len(parts) < 2 or ":" not in parts[1]:
                raise ValueError(f"{path}:{lineno}: expected 'name domain:role [uri [title]]', got {line!r}")
            name, role = parts[0], parts[1]
            if len(parts) > 2:
                uri = parts[2]
            elif pattern is not None:
                uri = pattern
            else:
                raise ValueError(f"{path}:{lineno}: no uri and no '# pattern:' line")
            entries.append((name, role, uri.replace("{name}", name), parts[3] if len(parts) > 3 else "-"))
    if url is None:
        raise ValueError(f"{path}: missing the '# url: <documentation root>' line")
    return url, entries


def write_inventory(project, entries, path):
    """Write ``entries`` as a Sphinx inventory (format version 2) to ``path``."""
    header = (
        "# Sphinx inventory version 2\n"
        f"# Project: {project}\n"
        "# Version: \n"
        "# The remainder of this file is compressed using zlib.\n"
    )
    body = "".join(
        f"{name} {role} {-1 if role.startswith('std:label') else 1} {uri} {disp}\n" for name, role, uri, disp in entries
    )
    with open(path, "wb") as fh:
        fh.write(header.encode("utf-8"))
        fh.write(zlib.compress(body.encode("utf-8")))


def intersphinx_mapping(outdir):
    """Write one inventory per table into ``outdir``; return ``intersphinx_mapping``."""
    os.makedirs(outdir, exist_ok=True)
    mapping = {}
    for fname in sorted(os.listdir(TABLES)):
        if not fname.endswith(".txt"):
            continue
        key = fname[:-4]
        url, entries = read_table(os.path.join(TABLES, fname))
        path = os.path.join(outdir, key + ".inv")
        write_inventory(key, entries, path)
        mapping[key] = (url, path)
    return mapping
