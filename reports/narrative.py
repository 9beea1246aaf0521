"""Plain text as the partnership writes it, turned into paragraphs and lists for the report.

No markup language: a blank line starts a new paragraph; lines starting with "- " (or "* ") form a bulleted
list, and indented ones ("  - ") a list inside the item above. Everything stays text: the template escapes it,
so HTML, CSS or addresses typed into the narrative are printed as typed and never fetched or run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_BULLET = re.compile(r"^(?P<indent>[ \t]*)[-*\u2022]\s+(?P<text>.*)$")
# Characters that are not allowed in XML 1.0 (and so not in the PDF's structure or in HTML).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass
class ListItem:
    text: str
    children: list[ListItem] = field(default_factory=list)


@dataclass
class Block:
    kind: str  # "paragraph" or "list"
    text: str = ""
    items: list[ListItem] = field(default_factory=list)

    @property
    def is_list(self) -> bool:
        return self.kind == "list"


def clean(text: str) -> str:
    return _CONTROL.sub("", (text or "").replace("\r\n", "\n").replace("\r", "\n"))


def parse(text: str) -> list[Block]:
    blocks: list[Block] = []
    paragraph: list[str] = []
    current_list: Block | None = None

    def end_paragraph() -> None:
        if paragraph:
            blocks.append(Block("paragraph", " ".join(line.strip() for line in paragraph)))
            paragraph.clear()

    for line in clean(text).split("\n"):
        if not line.strip():
            end_paragraph()
            current_list = None
            continue
        bullet = _BULLET.match(line)
        if bullet:
            end_paragraph()
            item = ListItem(bullet.group("text").strip())
            nested = len(bullet.group("indent").expandtabs(4)) >= 2
            if current_list is None:
                current_list = Block("list")
                blocks.append(current_list)
            if nested and current_list.items:
                current_list.items[-1].children.append(item)
            else:
                current_list.items.append(item)
        elif current_list is not None and line[:1].isspace() and current_list.items:
            # A wrapped line continues the item above it.
            target = current_list.items[-1]
            target = target.children[-1] if target.children else target
            target.text = f"{target.text} {line.strip()}"
        else:
            current_list = None
            paragraph.append(line)
    end_paragraph()
    return blocks
