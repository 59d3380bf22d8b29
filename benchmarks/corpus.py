"""A deterministic, seeded generator of a complete synthetic project for the benchmarks.

    python -m benchmarks.corpus --articles 100 --out /tmp/corpus [--seed 1]

Why synthetic: the eight real sample articles are far too few to show how a build scales, and
copying them would measure the same text over and over. The generated project has the shape the
issue asks for (~500-word articles with headings, lists and a table; 15-30 citations each with
repeated keys, grouped brackets and locators; a library of 2*N entries of mixed types) and is
*clean*: `python -m pipeline check` reports no error, so the benchmark times the full publishing
path rather than an early failure. Every library entry is cited by some article (no BIB008
warning noise), every article cites a recent source (no CIT004), and dates lie in the year
before `--today`, so nothing is overdue or in the future when builds run with PIPELINE_TODAY set
to the same day.

The prose is obviously synthetic filler and the people, journals and identifiers are invented
(DOIs use the 10.5555 test prefix, URLs example.org): it is benchmark data, never published.
The same seed gives a byte-identical corpus, so runs on different days and machines compare.
It is committed to git, as a real project is, so a build also reads the articles' history.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from pipeline.citations.scan import scan
from pipeline.content.articles import front_matter, parse_article
from pipeline.content.library import load_library
from pipeline.model import Approval
from pipeline.review.edit import set_keys
from pipeline.review.statement import (
    APPROVAL_NAMESPACE,
    Statement,
    approval_statement,
    article_items,
)
from pipeline.review.workflow import render_approvals

REPO = Path(__file__).resolve().parents[1]
DEFAULT_TODAY = dt.date(2026, 11, 25)
DEFAULT_SEED = 1

# --- vocabulary: invented, medical-sounding, obviously filler --------------------------------

CONDITIONS = (
    "acute lumbar strain",
    "community-acquired pneumonia",
    "uncomplicated cystitis",
    "stage 1 hypertension",
    "type 2 diabetes",
    "acute otitis media",
    "migraine without aura",
    "plantar fasciitis",
    "atrial fibrillation",
    "iron deficiency anaemia",
    "gout flare",
    "chronic rhinosinusitis",
    "knee osteoarthritis",
    "acute bronchitis",
    "adult asthma",
    "generalised anxiety",
    "major depression",
    "heart failure",
    "chronic kidney disease",
    "peptic ulcer disease",
    "irritable bowel syndrome",
    "cellulitis",
    "herpes zoster",
    "vitamin D deficiency",
    "obstructive sleep apnoea",
    "benign prostatic hyperplasia",
    "allergic rhinitis",
    "tension-type headache",
    "rotator cuff tendinopathy",
    "acne vulgaris",
)
POPULATIONS = (
    "adults",
    "older adults",
    "children",
    "adolescents",
    "pregnant patients",
    "primary care patients",
    "outpatients",
    "patients with renal impairment",
)
QUESTIONS = (
    "What is the recommended first-line treatment for {c} in {p}{q}?",
    "How should {c} be managed in {p}{q}?",
    "When is imaging indicated for {c} in {p}{q}?",
    "Which drugs are preferred for {c} in {p}{q}?",
    "How long should treatment for {c} last in {p}{q}?",
    "What is the role of non-drug therapy for {c} in {p}{q}?",
)
QUALIFIERS = (
    "",
    " with diabetes",
    " with obesity",
    " after surgery",
    " in rural practice",
    " with polypharmacy",
    " with frailty",
    " in urgent care",
    " with a penicillin allergy",
    " after a first episode",
    " with recurrent episodes",
    " on anticoagulation",
)
INTERVENTIONS = (
    "early mobilisation",
    "a short course of an NSAID",
    "structured exercise therapy",
    "a low-dose thiazide",
    "watchful waiting",
    "a first-generation cephalosporin",
    "a topical corticosteroid",
    "cognitive behavioural therapy",
    "weight reduction",
    "a proton pump inhibitor",
    "supervised physiotherapy",
    "a long-acting bronchodilator",
    "an SGLT2 inhibitor",
    "a single-dose regimen",
    "dietary counselling",
    "a nightly splint",
)
OUTCOMES = (
    "pain at two weeks",
    "all-cause mortality",
    "hospital admission",
    "symptom duration",
    "relapse at six months",
    "functional status",
    "adverse drug events",
    "return to work",
    "quality of life",
    "time to clinical cure",
    "treatment failure",
    "blood pressure control",
)
COMPARATORS = ("placebo", "usual care", "no treatment", "a longer course", "an older agent")
EFFECTS = (
    "modestly reduced",
    "did not clearly change",
    "reduced",
    "slightly improved",
    "substantially improved",
    "had little effect on",
    "increased",
)
CERTAINTY = ("high", "moderate", "low", "very low")
FILLER = (
    "The trials were small and heterogeneous, so the estimate is imprecise.",
    "Most participants were recruited from outpatient settings in high-income countries.",
    "Adverse events were generally mild and self-limiting.",
    "Adherence fell over time, which may dilute the observed benefit.",
    "The guideline panel rated this recommendation as conditional.",
    "Shared decision-making is appropriate when benefits and harms are closely balanced.",
    "Follow-up beyond twelve months was rarely reported.",
    "Cost and patient preference may reasonably tip the balance either way.",
    "Subgroup analyses did not show a consistent difference by age or sex.",
    "This is synthetic benchmark text and describes no real study or patient.",
)
TAGS = (
    "musculoskeletal",
    "infection",
    "cardiology",
    "respiratory",
    "endocrine",
    "pediatrics",
    "pain",
    "primary-care",
    "mental-health",
    "dermatology",
    "renal",
    "gastroenterology",
)
SURNAMES = (
    "Abara",
    "Bergström",
    "Castillo",
    "Dubois",
    "Eriksen",
    "Fujita",
    "García",
    "Hoffmann",
    "Ibrahim",
    "Jansen",
    "Kowalski",
    "Lindqvist",
    "Moreau",
    "Nakamura",
    "Okonkwo",
    "Petrov",
    "Quintero",
    "Rossi",
    "Sato",
    "Tanaka",
    "Urquhart",
    "Varga",
    "Weber",
    "Xu",
    "Yilmaz",
    "Zhou",
    "Müller",
    "Núñez",
)
GIVEN = ("A.", "B. K.", "C.", "D. M.", "E.", "F. J.", "G.", "H. L.", "I.", "J. R.", "K.", "L. S.")
# BibTeX spellings of the few non-ASCII surnames, so the library exercises LaTeX decoding.
LATEX_NAMES = {"Bergström": "Bergstr{\\\"o}m", "García": "Garc{\\'i}a", "Müller": "M{\\\"u}ller",
               "Núñez": "N{\\'u}{\\~n}ez"}  # fmt: skip
JOURNALS = (
    "Journal of Synthetic Clinical Medicine",
    "Annals of Imaginary Therapeutics",
    "Benchmark Medical Review",
    "International Journal of Placeholder Research",
    "Archives of Fictional Primary Care",
)
PUBLISHERS = ("Example Medical Press", "Placeholder Academic", "Synthetic Health Publishing")
INSTITUTIONS = (
    "{Synthetic Guideline Group}",
    "{Agency for Placeholder Evidence}",
    "{Imaginary Institute of Health}",
)
TITLE_WORDS = (
    "efficacy",
    "safety",
    "outcomes",
    "management",
    "randomised",
    "trial",
    "cohort",
    "review",
    "meta-analysis",
    "guideline",
    "update",
    "primary",
    "care",
    "treatment",
    "strategies",
    "long-term",
    "comparative",
    "effectiveness",
    "adherence",
    "costs",
    "burden",
    "screening",
)
TYPES = (("article", 50), ("book", 12), ("incollection", 13), ("online", 13), ("report", 12))

BOARD = (
    ("aadeyemi", "Ada Adeyemi", "MD, FACP", "Internal medicine", ("author", "reviewer")),
    ("bcarter", "Ben Carter", "MD", "Family medicine", ("author",)),
    ("cfischer", "Clara Fischer", "MD, MPH", "Infectious diseases", ("author", "reviewer")),
    ("dhale", "Dev Hale", "MD, FAAP", "Pediatrics", ("author", "reviewer")),
    ("eiwu", "Eun-ji Iwu", "MD, FACC", "Cardiology", ("author",)),
    ("fmensah", "Femi Mensah", "PharmD, BCPS", "Clinical pharmacy", ("reviewer",)),
)


@dataclass
class Entry:
    key: str
    entry_type: str
    year: int
    fields: dict[str, str] = field(default_factory=dict)

    def bibtex(self) -> str:
        width = max(len(name) for name in self.fields)
        lines = [f"  {name.ljust(width)} = {{{value}}}," for name, value in self.fields.items()]
        return f"@{self.entry_type}{{{self.key},\n" + "\n".join(lines) + "\n}\n"


# --- the library ----------------------------------------------------------------------------


def isbn13(serial: int) -> str:
    """A valid ISBN-13 (the pipeline checks the check digit) made from a serial number."""
    digits = f"978{serial % 10**9:09d}"
    total = sum((3 if i % 2 else 1) * int(ch) for i, ch in enumerate(digits))
    return f"{digits}{(10 - total % 10) % 10}"


def _authors(rng: random.Random, names: list[str], count: int) -> str:
    return " and ".join(f"{LATEX_NAMES.get(n, n)}, {rng.choice(GIVEN)}" for n in names[:count])


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z]", "", folded.lower())


def _title(rng: random.Random, used: set[str]) -> str:
    """A title no other entry has, so the library has no BIB005 'same work' warning."""
    while True:
        words = rng.sample(TITLE_WORDS, rng.randint(3, 5))
        condition = rng.choice(CONDITIONS)
        title = f"{' '.join(words).capitalize()} in {condition}: {rng.choice(POPULATIONS)}"
        if rng.random() < 0.15:
            title = "{COVID}-era " + title[0].lower() + title[1:]
        normal = " ".join(re.findall(r"[a-z0-9]+", title.lower()))
        if normal not in used:
            used.add(normal)
            return title


def make_library(rng: random.Random, size: int, today: dt.date) -> list[Entry]:
    """`size` entries; even-numbered ones are recent so each article can cite a recent source."""
    kinds = [kind for kind, weight in TYPES for _ in range(weight)]
    used: set[str] = set()
    entries = []
    for index in range(size):
        kind = rng.choice(kinds)
        year = (
            rng.randint(today.year - 6, today.year - 1)
            if index % 2 == 0
            else rng.randint(today.year - 24, today.year - 1)
        )
        names = rng.sample(SURNAMES, 4)
        institution = rng.choice(INSTITUTIONS)
        stem = _ascii(institution.split()[-1] if kind in ("online", "report") else names[0])
        key = f"{stem}{year}{_ascii(rng.choice(TITLE_WORDS))}{index:05d}"
        f: dict[str, str] = {}
        if kind == "article":
            f["author"] = _authors(rng, names, rng.randint(1, 4))
            f["title"] = _title(rng, used)
            f["journal"] = rng.choice(JOURNALS)
            f["year"] = str(year)
            f["volume"] = str(rng.randint(1, 180))
            f["number"] = str(rng.randint(1, 12))
            start = rng.randint(1, 1900)
            f["pages"] = f"{start}--{start + rng.randint(4, 20)}"
            f["doi"] = f"10.5555/synth.{index:06d}"
            if rng.random() < 0.6:
                f["pmid"] = str(90_000_000 + index)
        elif kind == "book":
            f["author" if rng.random() < 0.7 else "editor"] = _authors(
                rng, names, rng.randint(1, 3)
            )
            f["title"] = _title(rng, used)
            f["edition"] = str(rng.randint(2, 9))
            f["publisher"] = rng.choice(PUBLISHERS)
            f["address"] = "Springfield"
            f["year"] = str(year)
            f["isbn"] = isbn13(index * 7919 + 13)
        elif kind == "incollection":
            f["author"] = _authors(rng, names, rng.randint(1, 2))
            f["title"] = _title(rng, used)
            f["booktitle"] = f"Handbook of {rng.choice(CONDITIONS).title()}"
            f["editor"] = _authors(rng, names[2:], 2)
            f["publisher"] = rng.choice(PUBLISHERS)
            f["year"] = str(year)
            start = rng.randint(1, 800)
            f["pages"] = f"{start}--{start + rng.randint(10, 40)}"
        elif kind == "online":
            f["author"] = institution  # a corporate author, kept whole
            f["title"] = _title(rng, used)
            f["url"] = f"https://example.org/guidance/{key}"
            f["year"] = str(year)
            accessed = today - dt.timedelta(days=rng.randint(1, 360))
            f["urldate"] = accessed.isoformat()
        else:  # report, by the institution as corporate author
            f["author"] = institution
            f["institution"] = institution
            f["title"] = _title(rng, used)
            f["type"] = "Technical report"
            f["number"] = f"TR-{index:05d}"
            f["year"] = str(year)
            f["url"] = f"https://example.org/reports/{key}"
        entries.append(Entry(key, kind, year, f))
    return entries


# --- articles -------------------------------------------------------------------------------


def _brackets(rng: random.Random, own: list[str], pool: list[str]) -> list[str]:
    """15-30 citation items over 8-16 distinct keys, written as Pandoc brackets: some keys
    repeat, some brackets group several keys, some carry a page locator."""
    distinct = list(own)
    wanted = min(rng.randint(8, 16), len(pool))
    while len(distinct) < wanted:
        key = rng.choice(pool)
        if key not in distinct:
            distinct.append(key)
    total = rng.randint(15, 30)
    items = distinct + [rng.choice(distinct) for _ in range(total - len(distinct))]
    items = items[:1] + rng.sample(items[1:], len(items) - 1)  # a recent source opens
    brackets, i = [], 0
    while i < len(items):
        size = rng.choice((1, 1, 1, 2, 2, 3))
        group: list[str] = []
        while i < len(items) and len(group) < size and items[i] not in group:
            group.append(items[i])  # a bracket names a key once
            i += 1
        parts = []
        for key in group:
            roll = rng.random()
            if roll < 0.12:
                parts.append(f"@{key}, p. {rng.randint(2, 900)}")
            elif roll < 0.18:
                start = rng.randint(2, 400)
                parts.append(f"@{key}, pp. {start}-{start + rng.randint(1, 9)}")
            else:
                parts.append(f"@{key}")
        brackets.append("[" + "; ".join(parts) + "]")
    return brackets


def _sentence(rng: random.Random, condition: str, population: str) -> str:
    roll = rng.random()
    if roll < 0.55:
        return (
            f"In {population} with {condition}, {rng.choice(INTERVENTIONS)} "
            f"{rng.choice(EFFECTS)} {rng.choice(OUTCOMES)} compared with "
            f"{rng.choice(COMPARATORS)}, with {rng.choice(CERTAINTY)}-certainty evidence."
        )
    if roll < 0.8:
        return (
            f"Guidelines suggest offering {rng.choice(INTERVENTIONS)} before "
            f"{rng.choice(INTERVENTIONS)} when {rng.choice(OUTCOMES)} is the main concern."
        )
    return rng.choice(FILLER)


@dataclass
class Body:
    """Lines of Markdown with the places (line, insertion point) where a citation may go."""

    lines: list[str] = field(default_factory=list)
    slots: list[int] = field(default_factory=list)

    def add(self, text: str, citable: bool = True) -> None:
        if citable:
            self.slots.append(len(self.lines))
        self.lines.append(text)


def article_body(rng: random.Random, condition: str, population: str, brackets: list[str]) -> str:
    body = Body()

    def say() -> str:
        return _sentence(rng, condition, population)

    body.add(f"**{say()} {say()}**")
    body.add("", citable=False)
    sections = [
        ("Background", "para"),
        ("What the evidence shows", "list"),
        ("Comparison of options", "table"),
        ("Practical management", "para+list"),
        ("Follow-up and referral", "para"),
    ]
    for heading, shape in sections:
        body.add(f"## {heading}", citable=False)
        body.add("", citable=False)
        if shape in ("para", "para+list"):
            for _ in range(rng.randint(2, 3)):
                body.add(f"{say()} {say()}" if rng.random() < 0.5 else say())
            body.add("", citable=False)
        if shape in ("list", "para+list"):
            for _ in range(rng.randint(3, 5)):
                label = rng.choice(INTERVENTIONS)
                body.add(f"- **{label[0].upper()}{label[1:]}.** {say()}")
            body.add("", citable=False)
        if shape == "table":
            body.add(f"{say()}", citable=True)
            body.add("", citable=False)
            body.add("| Option | Effect on outcome | Certainty | Sources |", citable=False)
            body.add("|---|---|---|---|", citable=False)
            for _ in range(4):
                body.add(
                    f"| {rng.choice(INTERVENTIONS)} | {rng.choice(EFFECTS)} "
                    f"{rng.choice(OUTCOMES)} | {rng.choice(CERTAINTY)} | |"
                )
            body.add("", citable=False)
    # Paragraph lines hold two sentences: cite after the first or at the end.
    chosen = sorted(rng.sample(body.slots, min(len(brackets), len(body.slots))))
    extra = brackets[len(chosen) :]
    for slot, bracket in zip(chosen, brackets, strict=False):
        line = body.lines[slot]
        if line.endswith("| |"):
            body.lines[slot] = line[:-2] + f" {bracket} |"
        elif line.endswith("**"):
            body.lines[slot] = f"{line} {bracket}"
        else:
            body.lines[slot] = line[:-1] + f" {bracket}."
    if extra:  # more brackets than places: the last paragraph carries the rest
        body.lines.append("Further sources: " + " ".join(extra) + ".")
    return "\n".join(body.lines).rstrip("\n") + "\n"


def _date_before(rng: random.Random, today: dt.date) -> dt.date:
    """A day in the twelve months before `today`, so no approved article is overdue."""
    return today - dt.timedelta(days=rng.randint(5, 355))


def _question(rng: random.Random, used: set[str]) -> tuple[str, str, str]:
    """A title no other article has (two articles with one title are an error, FM015)."""
    for attempt in range(50):
        condition = rng.choice(CONDITIONS)
        population = rng.choice(POPULATIONS)
        qualifier = rng.choice(QUALIFIERS)
        if attempt == 49:  # only for corpora far larger than the benchmark's
            qualifier += f" (variant {len(used)})"
        title = rng.choice(QUESTIONS).format(c=condition, p=population, q=qualifier)
        if title not in used:
            used.add(title)
            break
    return title, condition, population


def make_article(
    rng: random.Random,
    index: int,
    own: list[str],
    pool: list[str],
    today: dt.date,
    used_titles: set[str],
) -> tuple[str, str]:
    title, condition, population = _question(rng, used_titles)
    slug = f"q{index:05d}-" + re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:60].strip("-")
    authors = rng.sample([m[0] for m in BOARD if "author" in m[4]], rng.choice((1, 1, 2)))
    eligible = [m[0] for m in BOARD if "reviewer" in m[4] and m[0] not in authors]
    reviewer = rng.choice(eligible)
    roll = rng.random()
    status = "Approved" if roll < 0.9 else ("Under Review" if roll < 0.95 else "Submitted")
    updated = _date_before(rng, today)
    body = article_body(rng, condition, population, _brackets(rng, own, pool))
    tags = sorted(rng.sample(TAGS, rng.randint(1, 3)))
    summary = _sentence(rng, condition, population)
    front = [
        "---",
        f"title: {title}",
        f"status: {status}",
        f"authors: [{', '.join(authors)}]",
    ]
    if status != "Submitted":
        front.append(f"reviewers: [{reviewer}]")
    front += [
        f"last_updated: {updated.isoformat()}",
        f"summary: {summary}",
        f"tags: [{', '.join(tags)}]",
    ]
    if status == "Approved":  # signed once the whole corpus is written (`sign_approvals`)
        front += ["approval:", f"  by: {reviewer}", f"  on: {updated.isoformat()}"]
    front.append("---")
    return slug, "\n".join(front) + "\n\n" + body


# --- the rest of the project ----------------------------------------------------------------

BOARD_HEADER = """\
# FICTIONAL BENCHMARK DATA, generated by benchmarks/corpus.py: these people do not exist.
members:
"""
DISCLAIMER = """\
This synthetic content exists only to benchmark the publishing pipeline. It is written for \
healthcare professionals and is meant to support, not replace, clinical judgment; every decision \
about a patient's care must rest on the clinician's own assessment.

Nothing here describes a real study, guideline or patient. The publisher, the authors and the \
members of the Medical Advisory Board accept no liability for any decision made on its basis.
"""
PAGES = {
    "index.md": "---\ntitle: Clinical Answers (benchmark)\n---\n\n# Clinical Answers\n\n"
    "A synthetic corpus generated for performance benchmarks. See the "
    "[editorial policy](editorial-policy.md) and the [board](board.md).\n",
    "editorial-policy.md": "# Editorial policy\n\n"
    "Every article passes Submitted, Under Review and Approved; only approved articles are "
    "published. This page belongs to a synthetic benchmark corpus.\n",
    "board.md": "---\ntitle: Medical Advisory Board\n---\n\n# Medical Advisory Board\n\n"
    "The members listed below are fictional benchmark data.\n",
}
RETRACTIONS = "# Retracted works (none in the synthetic benchmark library).\n"


def board_yaml(keys: dict[str, str]) -> str:
    lines = [BOARD_HEADER.rstrip("\n")]
    for member_id, name, credentials, specialty, roles in BOARD:
        lines += [
            f"  - id: {member_id}",
            f"    name: {name}",
            f"    credentials: {credentials}",
            f"    specialty: {specialty}",
            f"    roles: [{', '.join(roles)}]",
            "    keys:",
            f"      - {keys[member_id]}",
            "    interests: [none declared]",
            f"    interests_declared: {DEFAULT_TODAY.replace(month=1, day=2).isoformat()}",
        ]
    return "\n".join(lines) + "\n"


def member_keys(seed: int, folder: Path) -> dict[str, str]:
    """A key per board member, derived from the seed (so the same seed signs the same bytes:
    ed25519 signatures are deterministic), written to `folder` for ssh-keygen; the public
    lines by member."""
    public = {}
    for member_id, *_ in BOARD:
        secret = Ed25519PrivateKey.from_private_bytes(
            hashlib.sha256(f"{seed}:{member_id}".encode()).digest()
        )
        path = folder / member_id
        path.write_bytes(
            secret.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.OpenSSH,
                serialization.NoEncryption(),
            )
        )
        path.chmod(0o600)
        line = secret.public_key().public_bytes(
            serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
        )
        public[member_id] = f"{line.decode()} {member_id}"
    return public


def sign_approvals(out: Path, folder: Path, today: dt.date) -> None:
    """Sign every approval record of the corpus, as `python -m pipeline approve` would, with
    one ssh-keygen run per reviewer (it signs many files at once)."""
    library, _ = load_library(out)
    pending: dict[str, list[tuple[Path, Statement, dt.date]]] = {}
    for path in sorted((out / "content" / "articles").glob("*.md")):
        text = path.read_text("utf-8")
        record = front_matter(text).get("approval")
        article, _ = parse_article(path.relative_to(out).as_posix(), text, today)
        if article is None or not isinstance(record, dict):
            continue
        by, on = record["by"], dt.date.fromisoformat(record["on"])
        cited = [item.key for citation in scan(article)[0] for item in citation.items]
        items = article_items(article, library, cited, {})  # the corpus shows no pictures
        statement = approval_statement(article, items, by, on)
        pending.setdefault(by, []).append((path, statement, on))
    for by, items in pending.items():
        files = []
        for index, (_, statement, _) in enumerate(items):
            file = folder / f"{by}-{index}.txt"
            file.write_bytes(statement.data)
            files.append(file)
        sign = ["ssh-keygen", "-q", "-Y", "sign", "-f", str(folder / by), "-n", APPROVAL_NAMESPACE]
        subprocess.run([*sign, *map(str, files)], check=True, capture_output=True)
        for file, (path, statement, on) in zip(files, items, strict=True):
            signature = Path(f"{file}.sig").read_text("utf-8")
            approval = Approval(by, on, signature, statement.short())
            text = set_keys(path.read_text("utf-8"), {"approval": render_approvals([approval])})
            path.write_text(text, "utf-8")


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8"))


def generate(
    articles: int, out: Path, seed: int = DEFAULT_SEED, today: dt.date = DEFAULT_TODAY
) -> Path:
    """Write the project into `out` (emptied first if it holds a previous corpus)."""
    if articles < 1:
        raise ValueError("--articles must be at least 1")
    rng = random.Random(seed)
    library = make_library(rng, 2 * articles, today)
    keys = [entry.key for entry in library]
    # Recent (even-numbered) entries form the pool each article opens with, so no article
    # trips the stale-evidence warning; each article owns two entries so every entry is cited.
    if (out / ".git").exists() and not _is_corpus(out):
        raise ValueError(f"{out} is a git repository other than a benchmark corpus: not emptied")
    for sub in ("content", "references", "overrides", ".git"):
        shutil.rmtree(out / sub, ignore_errors=True)
    used_titles: set[str] = set()
    for index in range(articles):
        own = [keys[2 * index], keys[2 * index + 1]]
        slug, text = make_article(rng, index, own, keys, today, used_titles)
        _write(out / "content" / "articles" / f"{slug}.md", text)
    _write(out / "references" / "library.bib", "\n".join(e.bibtex() for e in library))
    with tempfile.TemporaryDirectory(prefix="corpus-keys-") as keys:
        _write(out / "references" / "board.yml", board_yaml(member_keys(seed, Path(keys))))
        sign_approvals(out, Path(keys), today)
    _write(out / "references" / "disclaimer.md", DISCLAIMER)
    _write(out / "references" / "retractions.txt", RETRACTIONS)
    for name, text in PAGES.items():
        _write(out / "content" / "pages" / name, text)
    shutil.copyfile(REPO / "mkdocs.yml", out / "mkdocs.yml")
    # The synthetic summaries are filler written for clinicians, not plain language: measured
    # (the check's work is the same) against a level they meet.
    settings = (REPO / "pipeline.yml").read_text("utf-8")
    (out / "pipeline.yml").write_text(
        settings.replace("reading_level: 8", "reading_level: 30"), "utf-8"
    )
    shutil.copytree(REPO / "overrides", out / "overrides")
    _commit(out, today)
    return out


_MESSAGE = "Synthetic benchmark corpus"


def _is_corpus(out: Path) -> bool:
    """Whether the git repository at `out` holds a corpus this module committed, and only it."""
    found = subprocess.run(
        ["git", "log", "--format=%s", "-n", "2"], cwd=out, capture_output=True, text=True
    )
    return found.returncode == 0 and found.stdout == f"{_MESSAGE}\n"


def _commit(out: Path, today: dt.date) -> None:
    """Commit the project, as a real one is: a build reads each approved article's reviewed
    versions from git ("Changes to this page"), which a folder outside git skips. The same
    corpus is the same commit, whatever the user's git settings (none are read: a global
    signing key or hook would change it, or stop it)."""
    when = f"{today.isoformat()}T12:00:00+00:00"
    env = {
        **{name: value for name, value in os.environ.items() if not name.startswith("GIT_")},
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "Benchmark corpus",
        "GIT_AUTHOR_EMAIL": "corpus@example.org",
        "GIT_AUTHOR_DATE": when,
        "GIT_COMMITTER_NAME": "Benchmark corpus",
        "GIT_COMMITTER_EMAIL": "corpus@example.org",
        "GIT_COMMITTER_DATE": when,
    }
    for command in (
        ["git", "init", "-q", "-b", "main"],
        ["git", "add", "-A"],
        ["git", "commit", "-q", "--no-verify", "-m", _MESSAGE],
    ):
        subprocess.run(command, cwd=out, env=env, check=True, capture_output=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.corpus", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--articles", type=int, required=True, help="number of articles (N)")
    parser.add_argument("--out", type=Path, required=True, help="folder to write the project into")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed (default 1)")
    parser.add_argument(
        "--today",
        type=dt.date.fromisoformat,
        default=DEFAULT_TODAY,
        help="the day the corpus is dated against; run builds with PIPELINE_TODAY set to it",
    )
    args = parser.parse_args(argv)
    try:
        generate(args.articles, args.out, args.seed, args.today)
    except ValueError as error:
        parser.error(str(error))
    print(f"{args.articles} articles written to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
