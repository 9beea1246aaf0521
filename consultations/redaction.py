"""The redaction check every quote goes through before a strategic lead can approve it.

It looks for what could identify a survivor. Two strengths of finding:
- contact details (phone numbers, e-mail addresses, postcodes) are never acceptable in a quote: they block the
  save, with a message saying what to remove;
- likely names, street addresses and dates that could be a date of birth are flagged: the lead edits the quote
  or confirms that they identify nobody. Capitalised words in mid-sentence are flagged as possible names or
  places, except the service words partnerships use every day (Police, GP, MARAC...).

Contact details are often disguised, so the text is normalised before it is read: Unicode compatibility forms
(NFKC: full-width digits and letters, `＠`, ideographic spaces) become plain ones, invisible format characters
(zero-width spaces, soft hyphens) go, and `[at]`, `(at)`, `{at}`, `[dot]`... become `@` and `.`. Phone numbers may
have spaces, dashes, dots, underscores or brackets between any digits ("0 7 7 0 0 9 0 0 1 2 3"), and e-mail
addresses may be spelled out ("jane at example dot org": only when it ends in a known top-level domain, so "we met at
the centre" stays prose). Every finding is reported at its place in the text as written, so the highlight and the
message show exactly what the lead must remove.

It is a safety net, not a guarantee: the lead's reading is the real check, and the pages say so.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import asdict, dataclass

PHONE = "phone"
EMAIL = "email"
POSTCODE = "postcode"
NAME = "name"
STREET_ADDRESS = "street_address"
DATE_OF_BIRTH = "date_of_birth"

BLOCKING_KINDS = frozenset({PHONE, EMAIL, POSTCODE})
DESCRIPTIONS = {
    PHONE: "a phone number",
    EMAIL: "an e-mail address",
    POSTCODE: "a postcode",
    NAME: "what may be a name, or a place that could identify someone",
    STREET_ADDRESS: "what may be a street address",
    DATE_OF_BIRTH: "what may be a date of birth",
}
PLACEHOLDERS = {PHONE: "[phone number]", EMAIL: "[e-mail address]", POSTCODE: "[postcode]"}

_MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December|"
    "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
)
# Between the digits of a phone number: spaces, dashes, dots, underscores and brackets, up to three in a row.
_DIGIT_SEPARATOR = r"[\s\-\u2010-\u2015.()_]"
# An e-mail address spelled out: "jane dot doe at example dot org", "jane @ example . org", "jane at example.org".
_TOP_LEVEL = r"(?:com|org|net|info|biz|io|edu|gov|nhs|ac|co|uk|eu|ie|scot|wales|london|email)"
_DOT_WORD = r"\s+dot\s+"
_SPELLED_EMAIL = (
    rf"(?<![\w.+-])[\w+-]+(?:(?:\.|{_DOT_WORD})[\w+-]+){{0,4}}"  # bounded, so a long text is read in linear time
    rf"(?:\s+at\s+(?!www\.)[\w-]+(?:(?:\.|{_DOT_WORD})[\w-]+){{0,4}}(?:\.|{_DOT_WORD})"  # "at": tight dots or "dot"
    rf"|@[\w-]+(?:(?:\s*\.\s*|{_DOT_WORD})[\w-]+){{0,4}}(?:\s*\.\s*|{_DOT_WORD}))"  # "@": spaced dots too
    rf"{_TOP_LEVEL}(?![\w-])"
)
_PATTERNS: list[tuple[str, re.Pattern]] = [
    (EMAIL, re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")),  # from a token's start: linear time
    (EMAIL, re.compile(_SPELLED_EMAIL, re.IGNORECASE)),
    # UK numbers: +44 or 0, then 9-10 more digits, separated or not (more in `_phone_numbers`).
    (
        PHONE,
        re.compile(
            rf"(?<![\w+])(?:\+\s?44\s?(?:\(0\)\s?)?|\(?0)(?P<number>(?:{_DIGIT_SEPARATOR}{{0,3}}\d){{9,10}})(?!\d)"
        ),
    ),
    (
        POSTCODE,
        re.compile(r"\b(?:GIR ?0AA|[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2})\b", re.IGNORECASE),
    ),
    (
        STREET_ADDRESS,
        re.compile(
            r"\b\d{1,4}[A-Za-z]?,?\s+(?:[A-Z][\w'-]*\s+){1,3}"
            r"(?:Road|Rd|Street|St|Avenue|Ave|Lane|Close|Gardens|Court|Way|Drive|Place|Square|Terrace|Crescent|"
            r"Grove|Hill|Park|Mews|Row|Walk|Estate|House|Mansions|Buildings)\b"
        ),
    ),
    (
        DATE_OF_BIRTH,
        re.compile(
            r"\b\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})\b"
            rf"|\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{_MONTHS})\.?,?\s+\d{{4}}\b"
            rf"|\b(?:{_MONTHS})\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}\b"
            r"|\b(?:born|date of birth|d\.?o\.?b\.?|birthday)\b[^.!?]{0,30}",
            re.IGNORECASE,
        ),
    ),
    (
        NAME,
        re.compile(
            r"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|PC|DC|DS|DI|Sgt|Sergeant|Officer|Judge|Cllr)\.?\s+[A-Z][a-zA-Z'-]+"
            r"|\b(?:called|named|name is|name's)\s+[A-Z][a-zA-Z'-]+"
        ),
    ),
]

# Capitalised words that are not names: services, roles and places every partnership mentions.
COMMON_WORDS = frozenset(
    word.lower()
    for word in """
    I I'm I've I'd I'll Im Ive Police Court Courts Crown Prosecution Service Services Social Housing Council Health
    Mental GP GPs A&E Accident Emergency MARAC Advance Angelou Refuge Refuges NHS CAMHS CAMHs CBT CPS IDVA ISVA IDVAs
    Independent Domestic Violence Abuse Advocate Advocates Children Child Adolescent Family Families Court's
    Magistrates Magistrate Judge Judges Probation Victim Support Women's Aid Women Woman Mum Mummy Dad Mother Father
    God Allah Christmas Eid Ramadan Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March
    April May June July August September October November December English British UK London Borough Maternity
    Midwife Midwives Hospital Emergency Department Safeguarding Board Partnership VAWG MASH LADO Multi Agency Risk
    Assessment Conference Specialist Perpetrator Programme Trust Standing Together Early Help Help CJS OK Okay Yes No
    Not Very
    """.split()  # noqa: SIM905 - a word list reads better as text
)
_CAPITALISED = re.compile(r"\b[A-Z][a-z][a-zA-Z'’-]*\b")
_SENTENCE_END = re.compile(r"[.!?:;\"“”‘’'(\[–—-]\s*$")
# Obfuscated "@" and "." as people write them: [at] (at) {at} <at> [@], [dot] (dot) {dot} [.], and "@" with spaces.
_OBFUSCATIONS = [
    (re.compile(r"\s*[\[({<]\s*(?:at|@)\s*[\])}>]\s*", re.IGNORECASE), "@"),
    (re.compile(r"\s*[\[({<]\s*(?:dot|\.)\s*[\])}>]\s*", re.IGNORECASE), "."),
    (re.compile(r"\s+@\s*|@\s+"), "@"),
]
_NOT_ASCII = re.compile(r"[^\x00-\x7f]+")
# Digits that are a date (01.04.2015, 1/4/15) or a time (09.00, 17:30): never part of a phone number.
_DATE_OR_TIME = re.compile(r"(?<!\d)\d{1,2}(?:([./-])\d{1,2}\1(?:\d{4}|\d{2})|[.:]\d{2})(?!\d)")
_MORE_DIGITS = re.compile(rf"{_DIGIT_SEPARATOR}{{1,3}}\d")


@dataclass(frozen=True)
class Flag:
    kind: str
    text: str
    start: int
    end: int

    @property
    def blocking(self) -> bool:
        return self.kind in BLOCKING_KINDS

    @property
    def description(self) -> str:
        return DESCRIPTIONS[self.kind]

    def as_dict(self) -> dict:
        return {**asdict(self), "blocking": self.blocking}


class _Normalised:
    """The text as the patterns read it, and where each of its characters came from in the text as written."""

    def __init__(self, original: str):
        self.original = original
        if original.isascii():
            self.text, self.starts, self.ends = original, range(len(original)), range(1, len(original) + 1)
        else:
            self.text, self.starts, self.ends = self._fold(original)
        for pattern, replacement in _OBFUSCATIONS:
            if pattern.search(self.text):
                self._replace(pattern, replacement)

    @staticmethod
    def _fold(original: str) -> tuple[str, list[int], list[int]]:
        """NFKC, one character with its combining marks at a time (so each piece knows its origin); invisible
        format characters (zero-width spaces, soft hyphens, joiners) dropped. Plain ASCII is copied in runs."""
        pieces: list[str] = []
        starts: list[int] = []
        ends: list[int] = []
        copied = 0
        for run in _NOT_ASCII.finditer(original):
            first, last = run.span()
            pieces.append(original[copied:first])
            starts.extend(range(copied, first))
            ends.extend(range(copied + 1, first + 1))
            position = first
            while position < last:
                end = position + 1
                while end < last and unicodedata.combining(original[end]):
                    end += 1
                cluster = original[position:end]
                folded = "" if unicodedata.category(cluster[0]) == "Cf" else unicodedata.normalize("NFKC", cluster)
                pieces.append(folded)
                starts.extend([position] * len(folded))
                ends.extend([end] * len(folded))
                position = end
            copied = last
        pieces.append(original[copied:])
        starts.extend(range(copied, len(original)))
        ends.extend(range(copied + 1, len(original) + 1))
        return "".join(pieces), starts, ends

    def _replace(self, pattern: re.Pattern, replacement: str) -> None:
        pieces, starts, ends, position = [], [], [], 0
        for match in pattern.finditer(self.text):
            start, end = match.span()
            pieces.append(self.text[position:start])
            starts.extend(self.starts[position:start])
            ends.extend(self.ends[position:start])
            pieces.append(replacement)
            starts.extend([self.starts[start]] * len(replacement))
            ends.extend([self.ends[end - 1]] * len(replacement))
            position = end
        pieces.append(self.text[position:])
        starts.extend(self.starts[position:])
        ends.extend(self.ends[position:])
        self.text, self.starts, self.ends = "".join(pieces), starts, ends

    def flag(self, kind: str, start: int, end: int) -> Flag:
        """A finding at start:end of the normalised text, reported at its place in the original."""
        first, last = self.starts[start], self.ends[end - 1]
        return Flag(kind, self.original[first:last].strip(), first, last)


def check(text: str) -> list[Flag]:
    """Every finding in the text, in reading order, without overlaps (the first pattern to claim a span wins).

    The patterns read the normalised text (see the module's note); flags give the span of the text as written."""
    findings: list[Flag] = []
    taken: list[tuple[int, int]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e in taken)

    normalised = _Normalised(text)
    text = normalised.text
    for kind, pattern in _PATTERNS:
        for match in _phone_numbers(text, pattern) if kind == PHONE else pattern.finditer(text):
            start, end = match.span()
            if free(start, end):
                findings.append(normalised.flag(kind, start, end))
                taken.append((start, end))
    for match in _CAPITALISED.finditer(text):
        start, end = match.span()
        word = match.group()
        bare = re.sub(r"['’]s$", "", word.lower())
        if bare in COMMON_WORDS or word.lower() in COMMON_WORDS or not free(start, end):
            continue
        before = text[:start]
        if not before.strip() or _SENTENCE_END.search(before.rstrip()[-1:]) or _inside_brackets(before):
            continue  # sentence starts, and editors' insertions like [RBKC]
        findings.append(normalised.flag(NAME, start, end))  # words never overlap: only the patterns' spans count
    return sorted(findings, key=lambda flag: flag.start)


def _phone_numbers(text: str, pattern: re.Pattern):
    """Phone numbers with any separators between their digits ("0 7 7 0 0 9 0 0 1 2 3", "07700.900.123"), but not
    digits that are dates or times ("09.00-17.00 10.00-16.00") or runs of separate numbers ("0 10 20 30 40 50",
    "0 1 2 3 4 5 6 7 8 9 10"). A refused candidate is retried one character on, so a number inside it is found."""
    dates_and_times = [match.span() for match in _DATE_OR_TIME.finditer(text)]  # in order, never overlapping
    date_ends = [last for _, last in dates_and_times]
    position = 0
    while match := pattern.search(text, position):
        start, end = match.span()
        groups = re.findall(r"\d+", match["number"])
        spaced_out = len(groups) > 1 and all(len(group) == 1 for group in groups)
        if (
            sum(ch.isdigit() for ch in match.group()) < 10
            or groups[0].startswith("0")  # no UK number has 0 after its leading 0 (or after +44)
            or _overlaps(dates_and_times, date_ends, start, end)
            or (len(groups) > 4 and not spaced_out)
            or (spaced_out and _MORE_DIGITS.match(text, end))
        ):
            position = start + 1
            continue
        yield match
        position = end


def _overlaps(spans: list[tuple[int, int]], ends: list[int], start: int, end: int) -> bool:
    index = bisect.bisect_right(ends, start)  # the first span ending after start
    return index < len(spans) and spans[index][0] < end


def _inside_brackets(before: str) -> bool:
    return before.rfind("[") > before.rfind("]")


def blocking(flags: list[Flag]) -> list[Flag]:
    return [flag for flag in flags if flag.blocking]


def blocking_message(flags: list[Flag]) -> str:
    """One sentence naming what must go, e.g. for the form's error summary."""
    found = "; ".join(f"{flag.description} ('{flag.text}')" for flag in blocking(flags))
    return (
        f"Remove {found} before saving: a quote must never carry contact details. "
        "If it matters to the meaning, write [phone number], [e-mail address] or [postcode] instead."
    )


def segments(text: str, flags: list[dict]) -> list[tuple[str, dict | None]]:
    """The text cut into plain and flagged pieces, for highlighting on the check page."""
    pieces: list[tuple[str, dict | None]] = []
    position = 0
    for flag in sorted(flags, key=lambda f: f["start"]):
        start, end = flag["start"], flag["end"]
        if start < position or end > len(text):
            continue  # flags of an older wording: ignore rather than mis-highlight
        if start > position:
            pieces.append((text[position:start], None))
        pieces.append((text[start:end], {**flag, "description": DESCRIPTIONS.get(flag["kind"], flag["kind"])}))
        position = end
    if position < len(text):
        pieces.append((text[position:], None))
    return pieces
