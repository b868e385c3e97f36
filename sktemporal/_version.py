"""The package version, in a module that imports nothing.

It sits at the bottom of the layer order (``docs/development.rst``), so that any module
can read the version without importing the package root, and ``setup.cfg`` reads it
without importing the package (``attr:`` parses this file).
"""

__version__ = "0.1.0.dev0"
