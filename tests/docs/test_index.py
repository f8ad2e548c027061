"""docs/index.md is how a reader finds a page: every page is listed once, and every listed page exists.

The index lists one page per line, so branches that each add a page touch different lines; these tests catch
what a merge cannot see (a page listed twice, a line left from an older layout, a dead link).
"""

import re
from collections import Counter
from pathlib import Path

DOCS = Path(__file__).resolve().parents[2] / "docs"
INDEX = DOCS / "index.md"
LINK = re.compile(r"\]\(([^)#]+\.md)\)")


def _page_list() -> str:
    """The index's list of pages: from its marker comment to the next section."""
    text = INDEX.read_text()
    start = text.index("<!-- one page per line")
    return text[start:text.index("\n## ", start)]


def _listed() -> list[str]:
    return [m.group(1) for m in LINK.finditer(_page_list()) if not m.group(1).startswith("http")]


def test_every_page_is_listed_exactly_once():
    pages = {str(p.relative_to(DOCS)) for p in DOCS.rglob("*.md")} - {"index.md"}
    counts = Counter(_listed())
    assert sorted(pages - set(counts)) == [], "pages missing from docs/index.md"
    assert [p for p, n in counts.items() if n > 1] == [], "pages listed more than once in docs/index.md"


def test_every_listed_page_exists():
    assert [p for p in _listed() if not (DOCS / p).is_file()] == []


def test_the_page_list_has_one_page_per_line():
    # a table row left over from the index's earlier layout would hold several links on one line
    assert [line for line in _page_list().splitlines() if line.startswith("|")] == []
