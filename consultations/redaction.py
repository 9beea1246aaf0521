"""The redaction check every quote goes through before a strategic lead can approve it.

It looks for what could identify a survivor. Two strengths of finding:
- contact details (phone numbers, e-mail addresses, postcodes) are never acceptable in a quote: they block the
  save, with a message saying what to remove;
- likely names, street addresses and dates that could be a date of birth are flagged: the lead edits the quote
  or confirms that they identify nobody. Capitalised words in mid-sentence are flagged as possible names or
  places, except the service words partnerships use every day (Police, GP, MARAC...).

It is a safety net, not a guarantee: the lead's reading is the real check, and the pages say so.
"""

from __future__ import annotations

import re
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
_PATTERNS: list[tuple[str, re.Pattern]] = [
    (EMAIL, re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")),
    # UK numbers: +44 or 0, then 9-10 more digits with optional spaces, dashes or brackets.
    (PHONE, re.compile(r"(?<![\w+])(?:\+\s?44\s?(?:\(0\)\s?)?|\(?0)\d(?:[\s\-()]{0,2}\d){8,9}(?!\d)")),
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


def check(text: str) -> list[Flag]:
    """Every finding in the text, in reading order, without overlaps (the first pattern to claim a span wins)."""
    findings: list[Flag] = []
    taken: list[tuple[int, int]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e in taken)

    for kind, pattern in _PATTERNS:
        for match in pattern.finditer(text):
            start, end = match.span()
            if kind == PHONE and sum(ch.isdigit() for ch in match.group()) < 10:
                continue
            if free(start, end):
                findings.append(Flag(kind, match.group().strip(), start, end))
                taken.append((start, end))
    for match in _CAPITALISED.finditer(text):
        start, end = match.span()
        word = match.group()
        bare = re.sub(r"['’]s$", "", word.lower())
        if bare in COMMON_WORDS or word.lower() in COMMON_WORDS or not free(start, end):
            continue
        before = text[:start]
        if not before.strip() or _SENTENCE_END.search(before) or _inside_brackets(before):
            continue  # sentence starts, and editors' insertions like [RBKC]
        findings.append(Flag(NAME, word, start, end))
        taken.append((start, end))
    return sorted(findings, key=lambda flag: flag.start)


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
