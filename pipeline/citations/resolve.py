"""Which library entry a citation names: by its key, or by its DOI or PMID.

`[@qaseem2017]` names the entry with that key. `[@doi:10.7326/M16-2367]` and `[@pmid:28192789]`
(as in Manubot and MyST) name the entry whose `doi` or `pmid` field holds that identifier, in
any of its spellings; a DOI with brackets in it is cited in braces,
`[@{doi:10.1016/S0140-6736(97)11096-0}]`. Every place that looks a cited key up (the
unknown-key check, the evidence checks, the reference list, what an approval signs) asks
`resolve`, so a source cited both ways is one source everywhere.
"""

from __future__ import annotations

from pipeline.identifiers import cited_identifier
from pipeline.model import Entry, Library


def resolve(library: Library, key: str) -> Entry | None:
    """The entry `key` names: the one with that key, else the one with that DOI or PMID."""
    entry = library.entries.get(key)
    if entry is None and (ident := cited_identifier(key)) is not None:
        entry = library.by_identifier.get(ident)
    return entry


def entry_key(library: Library, key: str) -> str:
    """The key of the entry a cited key names; the cited key itself when none does."""
    entry = resolve(library, key)
    return entry.key if entry is not None else key
