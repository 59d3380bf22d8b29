"""Project settings, kept in one place: the `pipeline` plugin's options in mkdocs.yml.

    plugins:
      - pipeline:
          review_interval_months: 12

The plugin receives them from MkDocs; the CLI reads the same block itself, without loading all
of MkDocs, so `check` stays fast.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import yaml


@dataclass(frozen=True)
class Settings:
    review_interval_months: int = 12
    # An article whose newest source is older than this many years gets a warning (CIT004).
    stale_evidence_years: int = 10
    # "ama", "vancouver", or the path (from the project folder) of a CSL style file.
    citation_style: str = "ama"

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> Settings:
        """Settings from the plugin's options; ValueError names a setting of the wrong kind."""
        values: dict[str, Any] = {}
        for field in fields(cls):
            if field.name not in options:
                continue
            value = options[field.name]
            if isinstance(field.default, int):
                if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                    raise ValueError(f"mkdocs.yml: '{field.name}' must be a whole number above 0")
            elif not isinstance(value, str) or not value.strip():
                raise ValueError(f"mkdocs.yml: '{field.name}' must be a word or a file path")
            values[field.name] = value
        return cls(**values)


class _TolerantLoader(yaml.SafeLoader):
    """Reads mkdocs.yml without resolving MkDocs' own tags (`!ENV`, `!relative`)."""


_TolerantLoader.add_multi_constructor("!", lambda loader, suffix, node: None)


def read_settings(root: Path) -> Settings:
    """The plugin options from `root/mkdocs.yml`; defaults where it has none."""
    path = root / "mkdocs.yml"
    if not path.is_file():
        return Settings()
    try:
        config = yaml.load(path.read_text(encoding="utf-8"), Loader=_TolerantLoader)
    except (yaml.YAMLError, UnicodeDecodeError):
        return Settings()
    plugins = config.get("plugins", []) if isinstance(config, dict) else []
    if isinstance(plugins, dict):
        plugins = [{name: options} for name, options in plugins.items()]
    for plugin in plugins if isinstance(plugins, list) else []:
        if isinstance(plugin, dict) and isinstance(plugin.get("pipeline"), dict):
            return Settings.from_options(plugin["pipeline"])
    return Settings()
