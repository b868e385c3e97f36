"""The example gallery's matplotlib style, applied before every example runs.

The figures are shown at the width of the page (about 750 px at a 1280 px window): a
figure ``w`` inches wide at 100 dpi is scaled by ``min(1, 750 / (100 w))``.  With 12 pt
text and figures at most 8 inches wide, every label renders at 9 pt or more.
"""

STYLE = {
    "font.size": 12,
    "axes.titlesize": 12,
    "axes.labelsize": 12,
    "xtick.labelsize": 11,
    "ytick.labelsize": 11,
    "legend.fontsize": 11,
    "figure.figsize": (8, 4.5),
    "figure.dpi": 100,
    "savefig.dpi": 100,
}


def reset_matplotlib(gallery_conf, fname):
    """sphinx-gallery ``reset_modules`` hook: matplotlib defaults, then :data:`STYLE`."""
    import matplotlib

    matplotlib.rcdefaults()
    matplotlib.use("Agg")
    matplotlib.rcParams.update(STYLE)
