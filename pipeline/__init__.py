"""Content-review and publishing pipeline for evidence-based medical articles.

The package is a pure core (load, validate, stage, audit) with thin adapters: the MkDocs
plugin (`plugin.py`), the command line (`cli.py`) and git (`git.py`).
"""
