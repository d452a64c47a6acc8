"""Where a line may break, and what each break costs.

Vietnamese puts a space between *syllables*, so a space is not a word boundary: "chất
lượng" and "Việt Nam" are one word each. A paragraph becomes a list of `Piece`s, the text
between two break opportunities, each with the cost of breaking after it:

- a space between two words: its phrase cost (`layout.phrasing`): a bonus after a
  sentence or a clause, a penalty for ending a line on "của", "the", a number before what
  it counts...; inside a date ("24 January 2025", "ngày 24 tháng 1 năm 2025") only when
  nothing else fits, and a caption cue never;
- a space inside a word found by the segmenter (underthesea, Vietnamese text): expensive,
  taken only when nothing else fits;
- a space inside a name (the story's own person, organisation, place, quote author, and
  the theme's `keep_together` list): more expensive still;
- inside an unspaced run, the UAX #14 opportunities (uniseg: after a hyphen or a slash);
  URLs and e-mail addresses break only at their own separators, hashtags never, and codes
  or dates with digits ("59-NQ/TW", "10/2024/QH15", "24/01/2025") only as a last resort;
- never: at a no-break space, before closing punctuation (`, . ; : ! ? ) ] » ” ’ … %`),
  after opening punctuation (`( [ « “ ‘`), before a spaced dash, between a number and its
  unit.

Everything here is pure and cached per paragraph and process: the segmenter runs once
per distinct text.
"""

from __future__ import annotations

import functools
import math
import os
import re
import sys
import threading
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from outreach.layout import phrasing
from outreach.model.text import NBSP, nfc

INF = math.inf
#: Breaking against a punctuation rule (a line starting with `»`): only if a group of
#: glued words is wider than the box, which would otherwise be an error.
PUNCT_BREAK = 1e8
#: Breaking inside a story name or a `keep_together` entry (a last resort).
NAME_BREAK = 1e6
#: Breaking inside a segmenter word (only when nothing else fits).
WORD_BREAK = 1e4
#: Breaking inside an unspaced run at a UAX #14 opportunity (after a hyphen or slash):
#: allowed, but dearer than several size steps ("e-|mail")...
INTRA_BREAK = 30.0
#: ...and, inside a document code or a date with digits ("59-|NQ/TW", "24/|01/2025"), a
#: last resort like a name: such a code is one unit.
CODE_BREAK = NAME_BREAK
#: Breaking a URL or e-mail address at one of its separators.
URL_BREAK = 1.5

KindName = str  # "space" | "word" | "name" | "intra" | "code" | "glue" | "end"

CLOSING = tuple(",.;:!?)]}»”’…%‰›")
OPENING = tuple("([{«“‘‹")
DASHES = ("—", "–", "-", "―", "‒")
SENTENCE_END = tuple(".!?…")
CLAUSE_END = tuple(",;:")
#: Spaces that must not break (UAX #14 class GL).
NO_BREAK_SPACES = frozenset({NBSP, "\u202f", "\u2007", "\u2060"})
#: A number (digits with separators), optionally signed or with a currency sign.
NUMBER = re.compile(r"^(?:[~≈<>±+\-−]|US\$|[$€£¥₫])?\d[\d.,:/]*[+×]?$")
#: A code or date: letters and digits joined by hyphens, slashes or dots, with a digit.
CODE = re.compile(r"^(?=.*\d)[^\W_]+(?:[-‐‑–/.][^\W_]+)+$")
CURRENCY = frozenset({"$", "US$", "€", "£", "¥", "₫", "VND", "USD", "EUR"})
#: Units that stay with the number before them (compared case-insensitively).
UNITS = frozenset(
    [
        "%",
        "‰",
        "°",
        "°c",
        "°f",
        "độ",
        "km",
        "m",
        "cm",
        "mm",
        "µm",
        "nm",
        "km²",
        "m²",
        "m2",
        "km2",
        "m³",
        "m3",
        "ha",
        "kg",
        "g",
        "mg",
        "t",
        "tấn",
        "tạ",
        "yến",
        "lít",
        "l",
        "ml",
        "km/h",
        "m/s",
        "kwh",
        "mwh",
        "gwh",
        "kw",
        "mw",
        "gw",
        "w",
        "v",
        "mah",
        "gb",
        "tb",
        "mb",
        "kb",
        "gb/s",
        "mbps",
        "ghz",
        "mhz",
        "hz",
        "x",
        "lần",
        "usd",
        "vnd",
        "vnđ",
        "đ",
        "đồng",
        "eur",
        "€",
        "$",
        "tỷ",
        "tỉ",
        "triệu",
        "nghìn",
        "ngàn",
        "trăm",
        "vạn",
        "bn",
        "tr",
        "k",
        "giây",
        "phút",
        "giờ",
        "ngày",
        "tuần",
        "tháng",
        "năm",
        "quý",
        "tuổi",
        "người",
    ]
)
MONTHS = frozenset(
    [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
    ]
)
VIETNAMESE_LETTERS = re.compile(
    "[àáảãạăắằẳẵặâấầẩẫậèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵđ]", re.I
)
URL = re.compile(r"^(?:[a-z][a-z0-9+.-]*://|www\.)\S+$|^[\w-]+(?:\.[\w-]+)+/\S*$", re.I)
EMAIL = re.compile(r"^[\w.+-]+@[\w-]+(?:\.[\w-]+)+$")
HASHTAG = re.compile(r"^[#@]\w+$")
#: Characters around which UAX #14 may allow a break inside an unspaced run.
_UAX_TRIGGERS = re.compile(r"[-‐‑–—/\\|_\u2e80-\u9fff\uac00-\ud7af\uff00-\uffef]")


@dataclass(frozen=True)
class Piece:
    """Text up to a break opportunity; `glue` is drawn after it unless the line breaks there."""

    text: str
    glue: str  # "" inside a run, or the space character that follows
    cost: float  # cost of breaking after this piece (INF: never)
    kind: KindName
    unit: int  # index of the word this piece belongs to (for widows and warnings)
    letters: bool  # holds letters or digits (punctuation alone is not a word)


@dataclass(frozen=True)
class Paragraph:
    pieces: tuple[Piece, ...]
    words: tuple[str, ...]  # text of each unit, for naming a split word


def is_vietnamese(text: str) -> bool:
    return bool(VIETNAMESE_LETTERS.search(text))


# --- the segmenter -----------------------------------------------------------------------


_SEGMENTER_LOCK = threading.Lock()
_segmenter: Callable[[str], list[str]] | None = None


def _load_word_tokenize() -> Callable[[str], list[str]]:
    """underthesea's `word_tokenize` with its packaged CRF model, loaded quickly.

    `import underthesea` also loads its other pipelines (NER, POS, classification with
    `requests`): about half the cost. The word tokenizer's own modules are imported
    without the package's `__init__`, and the model's 72 000-word dictionary is read with
    the C unpickler instead of joblib's Python one (5x faster). Any surprise (another
    underthesea layout) falls back to the plain public import.
    """
    try:
        return _fast_word_tokenize()
    except Exception:  # noqa: BLE001 — the public API always works, only slower
        for name in [m for m in sys.modules if m == "underthesea" or m.startswith("underthesea.")]:
            del sys.modules[name]
        from underthesea import word_tokenize

        tokenize: Callable[[str], list[str]] = word_tokenize
        return tokenize


def _fast_word_tokenize() -> Callable[[str], list[str]]:
    import importlib
    import importlib.util
    import pickle
    import types

    spec = importlib.util.find_spec("underthesea")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("underthesea is not installed")
    root = Path(next(iter(spec.submodule_search_locations)))
    stub = "underthesea" not in sys.modules
    if stub:
        package = types.ModuleType("underthesea")
        package.__path__ = [str(root)]
        package.__spec__ = spec
        sys.modules["underthesea"] = package
    try:
        importlib.import_module("underthesea.pipeline.text_normalize")
        module: Any = importlib.import_module("underthesea.pipeline.word_tokenize")
    finally:
        if stub:
            del sys.modules["underthesea"]  # a later `import underthesea` runs its __init__
    if module.word_tokenize_model is None:
        from underthesea_core import CRFFeaturizer, CRFTagger

        folder = root / "pipeline" / "word_tokenize" / "models" / "ws_crf_vlsp2013_20230727"
        estimator = CRFTagger()
        estimator.load(str(folder / "models.bin"))
        with open(folder / "features.bin", "rb") as fh:
            features = pickle.load(fh)
        with open(folder / "dictionary.bin", "rb") as fh:
            dictionary = pickle.load(fh)
        module.word_tokenize_model = _Tagger(CRFFeaturizer(features, dictionary), estimator)
    word_tokenize: Callable[[str], list[str]] = module.word_tokenize
    if word_tokenize("thế giới") != ["thế giới"]:
        raise ImportError("underthesea's word tokenizer did not load as expected")
    return word_tokenize


class _Tagger:
    """What `word_tokenize` asks of its model (as underthesea's FastCRFSequenceTagger)."""

    def __init__(self, featurizer: Any, estimator: Any):
        self.featurizer, self.estimator = featurizer, estimator

    def predict(self, tokens: list[list[str]]) -> list[str]:
        x = self.featurizer.process([tokens])[0]
        return list(self.estimator.tag(x))


def _word_tokenize() -> Callable[[str], list[str]]:
    global _segmenter
    with _SEGMENTER_LOCK:
        if _segmenter is None:
            _segmenter = _load_word_tokenize()
        return _segmenter


def _after_fork_in_child() -> None:
    """A fork while the loader thread runs must not leave the child a lock held forever."""
    global _SEGMENTER_LOCK
    _SEGMENTER_LOCK = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def prefetch() -> None:
    """Load the segmenter on a background thread (while photos decode), once per process."""
    if _segmenter is None and not _SEGMENTER_LOCK.locked():
        threading.Thread(target=_word_tokenize, name="segmenter", daemon=True).start()


@functools.lru_cache(maxsize=8192)
def segment(text: str) -> tuple[str, ...]:
    """Vietnamese words of `text` as underthesea sees them (syllables joined by spaces)."""
    if not text.strip():
        return ()
    source = text
    letters = [c for c in text if c.isalpha()]
    if letters and sum(c.isupper() for c in letters) > 0.8 * len(letters):
        lowered = text.lower()  # the model reads ALL CAPS as one long name
        if len(lowered) == len(text):
            source = lowered
    return tuple(_word_tokenize()(source))


def _segmenter_gaps(atoms: Sequence[str]) -> set[int]:
    """Gaps (index k = between atom k and k+1) that fall inside a segmenter word."""
    joined = " ".join(atoms)
    ends: dict[int, int] = {}  # count of non-space chars so far -> gap index
    acc = 0
    for k, atom in enumerate(atoms[:-1]):
        acc += len(atom)
        ends[acc] = k
    inside: set[int] = set()
    acc = 0
    for token in segment(joined):
        parts = token.split()
        for i, part in enumerate(parts):
            acc += len(part)
            if i < len(parts) - 1:
                gap = ends.get(acc)
                if gap is None:  # the segmenter changed the text: stop trusting it here
                    return inside
                inside.add(gap)
    return inside


def gaps_inside_words(atoms: Sequence[str], lang: str = "") -> set[int]:
    """Gaps (index k = between atom k and k+1) inside one word: a Vietnamese compound as
    the segmenter sees it, or an English capitalised name. Timing-driven breaks (a pause
    in the voice) must not fall there, as the layout's own breaks do not."""
    if not atoms:
        return set()
    vietnamese = lang == "vi" or (not lang and is_vietnamese(" ".join(atoms)))
    return _segmenter_gaps(atoms) if vietnamese else _capitalised_runs(atoms)


def _capitalised_runs(atoms: Sequence[str]) -> set[int]:
    """In English text, runs of capitalised Vietnamese syllables are names (Đà Nẵng)."""
    inside: set[int] = set()
    for k in range(len(atoms) - 1):
        a, b = atoms[k], atoms[k + 1]
        if (
            a[:1].isupper()
            and b[:1].isupper()
            and a[-1:].isalpha()
            and (is_vietnamese(a) or is_vietnamese(b))
        ):
            inside.add(k)
    return inside


@functools.lru_cache(maxsize=256)
def _names_pattern(names: tuple[str, ...]) -> re.Pattern[str] | None:
    multi = sorted({" ".join(nfc(n).split()) for n in names if len(n.split()) > 1}, key=len)
    if not multi:
        return None
    alternatives = "|".join(re.escape(n).replace(r"\ ", r"\s+") for n in reversed(multi))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def _name_gaps(paragraph: str, starts: Sequence[int], names: tuple[str, ...]) -> set[int]:
    """Gaps inside an occurrence of one of `names` (atoms start at `starts` in the text)."""
    pattern = _names_pattern(names)
    if pattern is None:
        return set()
    inside: set[int] = set()
    for m in pattern.finditer(paragraph):
        for k in range(len(starts) - 1):
            if m.start() <= starts[k] and starts[k + 1] < m.end():
                inside.add(k)
    return inside


# --- inside an unspaced run --------------------------------------------------------------


def _url_splits(atom: str) -> list[int]:
    """Chicago-style break points of a URL: after `://`, before / . - _ ? # % ~ & =."""
    if EMAIL.match(atom):
        return [i for i, c in enumerate(atom) if c in "@." and 0 < i < len(atom) - 1]
    body_start = atom.find("://") + 3 if "://" in atom else 0
    out = [body_start] if body_start else []
    tail = len(atom.rstrip(".,;:!?)»”’"))
    for i in range(body_start + 1, tail):
        if atom[i] in "/.-_?#%~&=" and atom[i - 1] != "/":
            out.append(i)
        elif atom[i - 1] in "&=":
            out.append(i)
    return sorted({i for i in out if 0 < i < tail})


@functools.lru_cache(maxsize=4096)
def _uax14_splits(atom: str) -> tuple[int, ...]:
    """UAX #14 break opportunities inside a run without spaces (uniseg)."""
    if not _UAX_TRIGGERS.search(atom):
        return ()
    from uniseg.linebreak import line_break_boundaries

    return tuple(b for b in line_break_boundaries(atom) if 0 < b < len(atom))


def _atom_splits(atom: str) -> tuple[list[int], float, KindName]:
    """Break opportunities inside an unspaced run, their cost, and the kind of break."""
    if HASHTAG.match(atom):
        return [], INF, "intra"
    if URL.match(atom) or EMAIL.match(atom):
        return _url_splits(atom), URL_BREAK, "intra"
    splits = list(_uax14_splits(atom))
    if any(c.isdigit() for c in atom):
        return splits, CODE_BREAK, "code"
    return splits, INTRA_BREAK, "intra"


def is_code(atom: str) -> bool:
    """A document code or date written without spaces: 59-NQ/TW, 10/2024/QH15, 24/01/2025."""
    core = _strip_punct(atom)
    return bool(CODE.match(core)) and not (URL.match(atom) or EMAIL.match(atom))


# --- the rules at a space ----------------------------------------------------------------


def _strip_punct(word: str) -> str:
    return word.strip("".join(CLOSING + OPENING) + "\"'")


def _is_number(atom: str) -> bool:
    return bool(NUMBER.match(_strip_punct(atom) or atom))


def _is_unit(atom: str) -> bool:
    core = atom.rstrip("".join(CLOSING)).lower() or atom
    return core in UNITS or atom[:1] in "%‰"


def _space_rule(left: str, right: str) -> float | None:
    """PUNCT_BREAK when typography forbids a break between these two atoms, else None."""
    if right.startswith(CLOSING) or left.endswith(OPENING):
        return PUNCT_BREAK
    if right in DASHES or (right[:1] in DASHES and len(right) > 1 and not right[1].isalnum()):
        return PUNCT_BREAK  # a spaced dash stays with the word before it
    if _is_number(left) and (_is_unit(right) or re.fullmatch(r"\d{3}\W?", right)):
        return PUNCT_BREAK  # 50 %, 3 km, 24 tháng, 1 000 000
    if left in CURRENCY and _is_number(right):
        return PUNCT_BREAK
    if _is_number(left) and right.rstrip(",.;:").lower() in MONTHS:
        return PUNCT_BREAK  # 24 January
    if left.rstrip(",.").lower() in MONTHS and _is_number(right):
        return PUNCT_BREAK  # January 24
    if right in ('"', "'") or left in ('"', "'"):
        return PUNCT_BREAK  # an ambiguous straight quote standing alone: keep it with its neighbour
    return None


def _clause(atom: str) -> int:
    """2 after the end of a sentence, 1 after a clause, else 0."""
    core = atom.rstrip("\"'»”’)]")
    if core.endswith(SENTENCE_END):
        if core.lower() in phrasing.abbreviations() or re.fullmatch(r"[A-ZĐ]\.", core):
            return 0  # "No. 59", "Nguyễn V. An"
        return 2
    if core.endswith(CLAUSE_END) or atom in DASHES:
        return 1
    return 0


# --- paragraphs -----------------------------------------------------------------------------


@functools.lru_cache(maxsize=8192)
def paragraph(text: str, names: tuple[str, ...] = (), lang: str = "") -> Paragraph:
    """Pieces of one paragraph (no newline inside), with the cost of every break."""
    text = text.strip()
    parts = re.split(r"(\s+)", text)
    atoms = parts[0::2]
    seps = parts[1::2]
    if not atoms or atoms == [""]:
        return Paragraph((), ())
    starts: list[int] = []
    pos = 0
    for i, atom in enumerate(atoms):
        starts.append(pos)
        pos += len(atom) + (len(seps[i]) if i < len(seps) else 0)
    vietnamese = lang == "vi" or (not lang and is_vietnamese(text))
    in_word = _segmenter_gaps(atoms) if vietnamese else _capitalised_runs(atoms)
    in_name = _name_gaps(text, starts, names)
    in_date = phrasing.date_gaps(text, starts)
    phrase = phrasing.gap_costs(
        [_strip_punct(a).lower() for a in atoms],
        [_clause(a) for a in atoms],
        [_is_number(a) for a in atoms],
        [is_code(a) for a in atoms],
        vietnamese,
        in_word | in_name | in_date,
        [_strip_punct(a)[:1].isupper() for a in atoms],
    )
    pieces: list[Piece] = []
    words: list[str] = []
    current: list[str] = []
    unit = 0
    for k, atom in enumerate(atoms):
        splits, intra_cost, intra_kind = _atom_splits(atom)
        bounds = [0, *splits, len(atom)]
        for j in range(len(bounds) - 1):
            chunk = atom[bounds[j] : bounds[j + 1]]
            last_in_atom = j == len(bounds) - 2
            letters = any(c.isalnum() for c in chunk)
            if not last_in_atom:
                pieces.append(Piece(chunk, "", intra_cost, intra_kind, unit, letters))
                continue
            if k == len(atoms) - 1:
                pieces.append(Piece(chunk, "", 0.0, "end", unit, letters))
                continue
            sep = seps[k]
            glue = next((c for c in sep if c in NO_BREAK_SPACES), sep[0])
            rule = _space_rule(atom, atoms[k + 1])
            if glue in NO_BREAK_SPACES:
                cost, kind = INF, "glue"
            elif k in in_name:
                cost, kind = NAME_BREAK, "name"
            elif k in in_word:
                cost, kind = WORD_BREAK, "word"
            else:
                cost, kind = phrase[k], "space"
            if rule is None and k in in_date:
                rule = phrasing.DATE_BREAK  # a date is one unit: a cue never cuts it
            if rule is not None:
                cost = rule
                kind = "glue" if kind == "space" else kind
            pieces.append(Piece(chunk, glue, cost, kind, unit, letters))
        current.append(atom)
        if (
            k < len(atoms) - 1
            and pieces[-1].kind in ("space", "glue")
            and pieces[-1].glue not in NO_BREAK_SPACES
        ):
            words.append(" ".join(current))
            current = []
            unit += 1
    if current:
        words.append(" ".join(current))
    return Paragraph(tuple(pieces), tuple(words))


def line_text(pieces: Sequence[Piece]) -> str:
    """The text of pieces set on one line: glue between them, none after the last."""
    if not pieces:
        return ""
    return "".join(p.text + p.glue for p in pieces[:-1]) + pieces[-1].text


def letter_units(pieces: Sequence[Piece]) -> int:
    """How many words (units with letters or digits) these pieces hold."""
    return len({p.unit for p in pieces if p.letters})


def uppercase(par: Paragraph) -> Paragraph:
    """The same breaks with the text in capitals (segmented before, in its own case)."""
    return Paragraph(
        tuple(
            Piece(nfc(p.text.upper()), p.glue, p.cost, p.kind, p.unit, p.letters)
            for p in par.pieces
        ),
        tuple(nfc(w.upper()) for w in par.words),
    )


def category_is_space(ch: str) -> bool:
    return unicodedata.category(ch) == "Zs"
