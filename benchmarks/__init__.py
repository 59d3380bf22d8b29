"""Benchmarks of the pipeline against the tools a publisher would otherwise use (issue 9).

Not part of the `pipeline` package nor of its runtime dependencies: `corpus` writes a synthetic
project, `run` times the pipeline and its peers on it, `profile` shows where a build spends its
time. Install what they need with `pip install -e '.[bench]'`.
"""
