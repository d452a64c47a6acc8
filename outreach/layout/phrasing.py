"""What a designer feels about a line break between two words: the phrase structure.

`layout.words` decides where a line *may* break (not inside a word, a name, a code); this
module says how *good* each of those breaks is, so that display text breaks where a
reader pauses: "Bạn có ý tưởng / đưa nông sản Việt / ra thế giới? / Kể cho chúng tôi
nghe!" rather than "Bạn có / ý tưởng đưa / nông sản Việt ra / thế giới? Kể cho".

The cost of breaking after word k (negative is a bonus), added by `layout.breaking` to
the raggedness of the lines (a 60%-full line costs about 0.3, a size step 1.0):

- after a sentence (. ! ? …): SENTENCE; after a clause (, ; : or a spaced dash): CLAUSE;
- before a word that opens a clause ("nhưng", "để", "because", "which"): BEFORE_CLAUSE;
- ending a line on a word that opens the next phrase, by its role in `phrasing.toml`
  (determiner, numeral, classifier after a numeral, preposition, conjunction,
  subordinator, auxiliary, coverb of direction); ending it on a number followed by what
  it counts ("194 | quốc gia"); between a label and its number or code ("Nghị quyết |
  59-NQ/TW", "năm | 2030", "hơn | 70"); before a sentence-final particle ("đi | nhé!");
  between a verb of motion and the coverb that completes it ("đi | qua"); in Vietnamese,
  before a proper name that qualifies the noun before it ("khách hàng | Mỹ");
- RUNT when a sentence's first word ends a line, or its last word starts one, while the
  paragraph goes on ("thế giới? Kể | cho", "chúng tôi | nghe! Và"), and SPLIT inside a
  short sentence of a paragraph of several ("Kể cho | chúng tôi nghe!").

A date is broken inside only as a last resort (`date_gaps`, DATE_BREAK), and never
between two caption cues: "24 January 2025", "January 24, 2025",
"ngày 24 tháng 1 năm 2025", "tháng 9/2025", "năm 2030". Everything is pure and cheap:
plain lookups over the words, no model.

The POS tagger and chunker of underthesea were measured for this (see the issue-9 note):
the closed-class words that decide a break are unambiguous in the direction they bind,
the tagger mislabels open-class words in display text ("khách hàng/V", "2030/V"), and the
chunker marks nearly every word as a chunk of its own; so the rules stay lexical.
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Sequence, Set
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: A break after the end of a sentence: the best place for a line to end. The bonuses
#: stay smaller than `breaking.LINE`, so a line added for one still costs something
#: (display text is not cut into a line per clause).
SENTENCE = -0.5
#: A break after a clause (comma, semicolon, colon, spaced dash).
CLAUSE = -0.3
#: A break just before a word that opens a clause ("để", "nhưng", "because").
BEFORE_CLAUSE = -0.15
#: Ending a line on a word by its role: the word leans on what follows it.
ROLE_COST = {
    "determiner": 2.0,
    "numeral": 2.0,
    "classifier": 2.0,  # only right after a numeral or determiner ("một người | bạn")
    "prefix": 1.5,  # "những nhà | nhập khẩu", "tiếng | Anh"
    "preposition": 1.5,
    "conjunction": 1.5,
    "subordinator": 1.5,
    "auxiliary": 0.8,
    "directional": 0.6,
}
#: A number (in digits) at the end of a line, with what it counts on the next.
NUMBER = 2.0
#: A quantifier or a label at the end of a line, with its number or code on the next.
QUANTIFIER = 2.0
LABEL = 1.5
#: A sentence-final particle ("nhé", "ạ") starting a line.
PARTICLE = 2.0
#: A Vietnamese noun and the proper name after it that qualifies it ("đồng nghiệp | Hàn
#: Quốc", "tỉnh | Đồng Tháp"): a mild cost, as the name may also start a new phrase.
PROPER = 0.6
#: An enclitic ("nhất", "này") starting a line, away from the word it qualifies.
ENCLITIC = 2.0
#: A break inside a date ("24 January | 2025", "ngày 24 | tháng 1"): dearer than many size
#: steps, yet a cost, not a ban, so that a long date may still wrap in a narrow caption.
DATE_BREAK = 20.0
#: Inside a function word of several words ("so | với", "bất | kỳ", "more | than").
INSIDE = 2.0
#: A sentence's first word alone at the end of a line, or its last word at the start.
RUNT = 1.0
#: Any break inside a sentence of at most SHORT_SENTENCE words, in a paragraph of several
#: sentences: a short sentence is a phrase of its own.
SPLIT = 0.6
SHORT_SENTENCE = 4

ROMAN = re.compile(r"^[ivxlc]+$")

_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|"
    r"December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?"
)
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_WEEKDAY = r"(?:(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday),?\s+)?"
#: Dates, in English and Vietnamese, whose words are never split across lines.
DATE = re.compile(
    "|".join(
        [
            rf"\b{_WEEKDAY}{_DAY}\s+(?:of\s+)?{_MONTH}(?:,?\s+\d{{4}})?(?!\w)",
            rf"\b{_WEEKDAY}{_MONTH}\s+{_DAY}(?:,?\s+\d{{4}})?(?!\w)",
            rf"\b{_MONTH}\s+\d{{4}}(?!\w)",
            r"(?<!\w)ngày\s+\d{1,2}(?:/\d{1,2}(?:/\d{2,4})?)?(?:\s+tháng\s+\d{1,2})?"
            r"(?:\s+năm\s+\d{4})?(?!\w)",
            r"(?<!\w)\d{1,2}\s+tháng\s+\d{1,2}(?:\s+năm\s+\d{4})?(?!\w)",
            r"(?<!\w)tháng\s+\d{1,2}(?:/\d{4}|\s+năm\s+\d{4})?(?!\w)",
            r"(?<!\w)(?:năm|quý\s+(?:[IV]+|\d)(?:\s+năm)?)\s+\d{4}(?!\w)",
            r"(?<!\w)quý\s+(?:[IV]+|\d)(?:/\d{4})?(?!\w)",
        ]
    ),
    re.IGNORECASE,
)

ROLES = (
    *ROLE_COST,
    *("quantifier", "label", "particle", "enclitic", "year_context", "motion", "coverb"),
)
#: Roles of function words: a word with none of them is a content word.
FUNCTION_ROLES = tuple(
    r
    for r in (*ROLE_COST, "quantifier", "particle", "enclitic", "coverb")
    if r not in ("classifier", "prefix")
)


@dataclass(frozen=True)
class Lexicon:
    """The words of one language by role (each entry a tuple of lower-case words)."""

    roles: dict[str, frozenset[tuple[str, ...]]]
    longest: int
    function: frozenset[str]  # single words with a function role
    multi: frozenset[tuple[str, ...]]  # function words of several words

    def ends(self, role: str, words: Sequence[str]) -> bool:
        """Whether `words` end with an entry of `role`."""
        entries = self.roles[role]
        return any(
            tuple(words[-n:]) in entries for n in range(1, min(self.longest, len(words)) + 1)
        )

    def ends_word(self, role: str, cores: Sequence[str], k: int, joined: Set[int]) -> bool:
        """Whether the words up to word k end with an entry of `role` that starts a word
        ("trường" in "thị trường" is no prefix, as it is in "trường | đại học")."""
        entries = self.roles[role]
        for n in range(1, min(self.longest, k + 1) + 1):
            first = k - n + 1
            if first > 0 and first - 1 in joined:
                continue
            if tuple(cores[first : k + 1]) in entries:
                return True
        return False

    def starts(self, role: str, words: Sequence[str]) -> bool:
        """Whether `words` start with an entry of `role`."""
        entries = self.roles[role]
        return any(tuple(words[:n]) in entries for n in range(1, min(self.longest, len(words)) + 1))


@functools.lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    return tomllib.loads((Path(__file__).with_name("phrasing.toml")).read_text("utf-8"))


@functools.lru_cache(maxsize=1)
def abbreviations() -> frozenset[str]:
    """Abbreviations whose full stop does not end a sentence ("No.", "TS.")."""
    return frozenset(_data()["common"]["abbreviations"])


@functools.lru_cache(maxsize=2)
def lexicon(lang: str) -> Lexicon:
    """The word list of `phrasing.toml` for "vi" or "en" (any other language: English)."""
    table = _data()["vi" if lang == "vi" else "en"]
    roles = {
        role: frozenset(tuple(entry.split()) for entry in table.get(role, [])) for role in ROLES
    }
    longest = max((len(e) for entries in roles.values() for e in entries), default=1)
    function = frozenset(e[0] for r in FUNCTION_ROLES for e in roles[r] if len(e) == 1)
    multi = frozenset(e for r in FUNCTION_ROLES for e in roles[r] if len(e) > 1)
    return Lexicon(roles, longest, function, multi)


def date_gaps(text: str, starts: Sequence[int]) -> set[int]:
    """Gaps (k: between word k and k+1, words starting at `starts`) inside a date."""
    inside: set[int] = set()
    for m in DATE.finditer(text):
        for k in range(len(starts) - 1):
            if m.start() <= starts[k] and starts[k + 1] < m.end():
                inside.add(k)
    return inside


def gap_costs(
    cores: Sequence[str],
    clauses: Sequence[int],
    numbers: Sequence[bool],
    codes: Sequence[bool],
    vietnamese: bool,
    joined: Set[int],
    capitals: Sequence[bool] = (),
) -> list[float]:
    """The phrase cost of breaking after each word but the last.

    `cores` are the words in lower case without punctuation; `clauses` 2 after a sentence
    end, 1 after a clause end, else 0; `numbers` and `codes` mark numbers in digits and
    codes ("59-NQ/TW"); `joined` holds the gaps inside a word, a name or a date (they are
    not breaks, and a word of several syllables counts as one for the runt rule);
    `capitals` marks words written with a capital.
    """
    lex = lexicon("vi" if vietnamese else "en")
    n = len(cores)
    out = [0.0] * max(0, n - 1)
    span = lex.longest
    for k in range(n - 1):
        if clauses[k] == 2:
            out[k] = SENTENCE
            continue
        if clauses[k] == 1:
            out[k] = CLAUSE
            continue
        before = cores[max(0, k - span + 1) : k + 1]
        after = cores[k + 1 : k + 1 + span]
        cost = 0.0
        completes_verb = (
            k > 0 and lex.ends("coverb", before) and lex.ends("motion", cores[max(0, k - span) : k])
        )
        content_next = cores[k + 1][:1].isalpha() and cores[k + 1] not in lex.function
        for role, role_cost in ROLE_COST.items():
            if role_cost > cost and lex.ends_word(role, cores, k, joined):
                if role in ("classifier", "prefix") and not content_next:
                    continue  # "mọi người | trong": the noun ends its phrase
                if role == "classifier" and not _counted(cores, numbers, lex, k - 1):
                    continue
                if completes_verb and role in ("preposition", "directional"):
                    continue  # "đi qua |", "vươn ra |": the coverb completes the verb
                cost = role_cost
        if lex.ends("motion", before) and lex.starts("coverb", after):
            cost = max(cost, ROLE_COST["directional"])  # "đi | qua tay"
        # A number counts what follows it ("194 | quốc gia"), unless a label makes it a
        # name ("hạng 33 | trở lên") or it is a year in context ("năm 2030 |").
        if numbers[k] and not numbers[k + 1] and cores[k + 1][:1].isalpha():
            labelled = k > 0 and lex.ends("label", cores[max(0, k - span) : k])
            if not labelled and not _year_in_context(cores, k, lex):
                cost = max(cost, NUMBER)
        if numbers[k + 1] or codes[k + 1]:
            if lex.ends_word("quantifier", cores, k, joined):
                cost = max(cost, QUANTIFIER)  # "hơn | 70", "nearly | 100-fold"
            if lex.ends_word("label", cores, k, joined):
                cost = max(cost, LABEL)  # "Nghị quyết | 59-NQ/TW", "năm | 2030"
        elif ROMAN.match(cores[k + 1]) and lex.ends_word("label", cores, k, joined):
            cost = max(cost, LABEL)  # "quý | IV", "khoá | XIII"
        if lex.starts("particle", after) and (k + 2 == n or clauses[k + 1] == 2):
            cost = max(cost, PARTICLE)
        if lex.starts("enclitic", after) and k + 1 not in joined:
            cost = max(cost, ENCLITIC)  # "lớn | nhất", "dự án | này"
        if (
            vietnamese
            and cost == 0.0
            and k + 1 < len(capitals)
            and capitals[k + 1]
            and not capitals[k]
            and (k - 1 in joined or cores[k] not in lex.function)
        ):
            cost = PROPER  # "đồng nghiệp | Hàn Quốc", "nông sản | Việt"
        if cost == 0.0 and lex.starts("subordinator", after):
            cost = BEFORE_CLAUSE
        out[k] = cost
    for i in range(n - 1):
        for size in range(2, min(span, n - i) + 1):
            if tuple(cores[i : i + size]) in lex.multi and not any(clauses[i : i + size - 1]):
                for k in range(i, i + size - 1):
                    out[k] = max(out[k], INSIDE)  # "so | với", "more | than"
    runts, splits = _sentence_gaps(clauses, joined, n)
    for k in runts:
        out[k] += RUNT
    for k in splits:
        out[k] += SPLIT
    return out


def _counted(cores: Sequence[str], numbers: Sequence[bool], lex: Lexicon, k: int) -> bool:
    """Whether word k counts or determines what follows (a numeral, number, determiner)."""
    if k < 0:
        return False
    words = cores[max(0, k - lex.longest + 1) : k + 1]
    return numbers[k] or lex.ends("numeral", words) or lex.ends("determiner", words)


def _year_in_context(cores: Sequence[str], k: int, lex: Lexicon) -> bool:
    """A year after "năm", "in", "since", a month...: what follows it is a new phrase."""
    core = cores[k]
    if not (len(core) == 4 and core.isdigit() and 1800 <= int(core) <= 2199):
        return False
    return k == 0 or lex.ends("year_context", cores[max(0, k - lex.longest) : k])


def _sentence_gaps(clauses: Sequence[int], joined: Set[int], n: int) -> tuple[list[int], list[int]]:
    """Gaps that would leave a sentence's first or last word alone at a line's edge, and
    gaps inside a short sentence of a paragraph of several."""
    # Words: runs of syllables joined by gaps inside a word, a name or a date.
    words: list[tuple[int, int]] = []
    start = 0
    for k in range(n):
        if k == n - 1 or k not in joined:
            words.append((start, k))
            start = k + 1
    sentences: list[list[tuple[int, int]]] = [[]]
    for first, last in words:
        sentences[-1].append((first, last))
        if clauses[last] == 2 and last < n - 1:
            sentences.append([])
    sentences = [s for s in sentences if s]
    runts: list[int] = []
    splits: list[int] = []
    for sentence in sentences:
        if len(sentence) < 2:
            continue
        head_end = sentence[0][1]
        if clauses[head_end] == 0 and sentence[0][0] > 0:
            runts.append(head_end)  # "thế giới? Kể | cho chúng tôi nghe!"
        tail_start, last = sentence[-1]
        if clauses[last] == 2 and last < n - 1 and clauses[tail_start - 1] == 0:
            runts.append(tail_start - 1)  # "Kể cho chúng tôi | nghe! Và..."
        if len(sentences) > 1 and len(sentence) <= SHORT_SENTENCE:
            splits.extend(end for _, end in sentence[:-1])
    return runts, splits
