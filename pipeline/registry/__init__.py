"""Checking the library against the registries: Crossref for DOIs, PubMed for PMIDs.

`python -m pipeline references verify` looks up every cited DOI and PMID and writes what it
found to a lock file, `references/registry-lock.json`; `check` reads only that file, so it stays
offline, fast and deterministic. The parts:

- `records.py` reads a registry's answer (Crossref's works JSON, PubMed's esummary JSON) into a
  `Record`, with its retraction, correction and concern notices;
- `matching.py` compares a library entry with its record (title, year, first author, journal);
- `lock.py` is the lock file: its format, reading and writing it;
- `verify.py` decides what to look up and folds the answers into the lock;
- `new_entry.py` writes a BibTeX entry from a record (`references add`);
- `client.py` is the only module that touches the network: a polite, rate-limited HTTP client.

All but the client are pure functions with tests of their own.
"""
