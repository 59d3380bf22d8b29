"""Words as readers see them, whatever the code points: the one reading the audit uses to find
a withheld article's text in the output, and check uses to compare what pages show.
"""

from __future__ import annotations

import functools
import re
import unicodedata

import regex  # type: ignore[import-untyped]  # Unicode properties `re` lacks

ASCII = bytes(range(0x80))
# Every byte of a non-word ASCII character becomes a space, capitals become small letters; other
# word characters and every byte of a UTF-8 sequence (non-ASCII characters are dealt with one
# by one) stay as they are. Control characters other than white space are invisible: they
# vanish, joining what they separate.
_ASCII_WORDS = bytes(
    b if b >= 0x80 else ord(chr(b).lower()) if chr(b).isalnum() or b == 0x5F else 0x20
    for b in range(256)
)
_ASCII_INVISIBLE = bytes(
    b for b in range(0x80) if not chr(b).isprintable() and b not in b"\t\n\v\f\r"
)
# Unicode's Default_Ignorable_Code_Point: drawn as nothing, assigned or not.
IGNORABLE = regex.compile(r"\p{Default_Ignorable_Code_Point}")
# Marks (accents, the combining grapheme joiner), format characters (soft hyphen, zero-width
# space, joiners, byte-order mark) and other controls: none of them separates words on screen.
_INVISIBLE = frozenset({"Mn", "Me", "Cf", "Cc"})
# Default-ignorable, but browsers draw them as a blank: the Hangul fillers separate words.
_BLANKS = frozenset("\u115f\u1160\u3164\uffa0")
# Latin letters that have no compatibility form but are drawn as a plain letter would be read:
# small capitals ("ᴘ"), a dotless i, a letter with a stroke or hook. Read as that letter.
_LATIN_LETTER = re.compile(
    r"LATIN (?:SMALL |CAPITAL )?LETTER (?:SMALL CAPITAL |DOTLESS )?([A-Z])(?: WITH .+)?"
)


def normalize(text: str) -> str:
    """Lower-case words separated by single spaces, as readers see them whatever the code
    points: markup and punctuation do not matter, invisible characters and accents vanish, and
    compatibility forms count as the letters they show (a full-width "p" is "p"). The words are
    runs of letters, digits and "_".

    Every page of every build is read this way, so it works on bytes: an ASCII table in one
    pass, then only the few distinct non-ASCII characters a page has (a regular expression
    took twice as long, testing every character against Unicode's tables). A text with many
    distinct characters to change is changed in one pass instead, so a hostile page stays
    linear."""
    data = text.encode("utf-8", "surrogatepass")
    rare = data.translate(None, ASCII)  # UTF-8 is self-synchronizing: whole characters
    changed: dict[str, str] = {}
    for char in set(rare.decode("utf-8", "surrogatepass")):
        if (folded := _folded(char)) != char:
            changed[char] = folded
    if len(changed) > _REPLACEMENTS:
        table = {ord(char): folded for char, folded in changed.items()}
        data = text.translate(table).encode("utf-8", "surrogatepass")
    else:
        for char, folded in changed.items():
            data = data.replace(char.encode("utf-8", "surrogatepass"), folded.encode("utf-8"))
    words = data.translate(_ASCII_WORDS, _ASCII_INVISIBLE)
    return " ".join(words.decode("utf-8", "surrogatepass").split())


# Above this many distinct characters to change, one pass over the text beats one per character.
_REPLACEMENTS = 16


@functools.lru_cache(maxsize=4096)
def _folded(char: str) -> str:
    """What a non-ASCII character is in a word: a blank for a Hangul filler; nothing when
    Unicode says a renderer draws it as nothing (a soft hyphen, U+2065 and the other unassigned
    ones of those ranges) or when it is a mark or invisible; else its compatibility
    decomposition without marks and invisible characters, case-folded (and decomposed again),
    or a space when that is not letters or digits. Marks go before case folding: the tick
    U+0345 draws under a letter folds to an iota, a letter of its own, and a withheld sentence
    with a tick after some letters was read as other words, where a browser shows it plainly."""
    if char in _BLANKS:
        return " "
    if IGNORABLE.match(char) or unicodedata.category(char) in _INVISIBLE:
        return ""
    kept = _unmarked(_unmarked(char).casefold())
    if len(kept) == 1 and (latin := _LATIN_LETTER.fullmatch(unicodedata.name(kept, ""))):
        kept = latin.group(1).lower()
    return " " if kept and not kept.isalnum() else kept


def _unmarked(text: str) -> str:
    """The compatibility decomposition of `text` without marks and invisible characters."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if unicodedata.category(c) not in _INVISIBLE)


# More accents or other marks than this on one letter paint far above and below its line, over
# what the page shows around it (70 stacked on an "I" covered the review status): no language
# the board writes in stacks more.
MAX_MARKS = 4
# Counted through what is drawn as nothing between them: a word joiner, a soft hyphen or
# another format character after every four marks still stacks them on one letter.
_STACKED = regex.compile(
    rf"(?:\p{{M}}[\p{{Cf}}\p{{Default_Ignorable_Code_Point}}--\p{{M}}]*+){{{MAX_MARKS + 1},}}",
    regex.V1,
)


def stacked_marks(text: str) -> tuple[int, int] | None:
    """Where the first run of more than MAX_MARKS marks on one letter starts, and how many
    marks it has. Every page of every build is read, so the few non-ASCII characters are
    searched first (a run in the text is a run among them too)."""
    rare = text.encode("utf-8", "surrogatepass").translate(None, ASCII)
    if not rare or not _STACKED.search(rare.decode("utf-8", "surrogatepass")):
        return None
    found = _STACKED.search(text)
    if found is None:
        return None
    marks = sum(unicodedata.category(char).startswith("M") for char in found.group())
    return found.start(), marks
