"""Table documents as PDF (reportlab), for the areas that issue statements and lists: rows drawn one by one
straight onto the page canvas (so a long table is never held whole), a new page with the column titles again
whenever one fills, and "Page n of N" at the foot of every page. Chinese text (names, memos, titles) is set in
reportlab's built-in CID font STSong-Light, which needs no font file; everything else in Helvetica.

The areas bring their own page head, rows and closing lines; nothing here knows what a statement is."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import BinaryIO

from reportlab.lib.colors import Color
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

CJK_FONT = "STSong-Light"
_TITLES_SHADE = Color(0.9, 0.9, 0.9)
_SPACES = re.compile(r"\s+")
_TOTAL_PAGES = "tablePageTotalPages"
_FOOT_SIZE = 7.0


def register_cjk() -> None:
    """Make the CJK font known to reportlab; once a process is enough, and a second call does nothing."""
    if CJK_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))


def font_for(text: str, bold: bool = False) -> str:
    """Helvetica for Latin-1 text, the CJK font for anything else (it has Latin glyphs too, but no bold)."""
    if all(ord(ch) < 256 for ch in text):
        return "Helvetica-Bold" if bold else "Helvetica"
    return CJK_FONT


def fit(text: str, font: str, size: float, width: float) -> str:
    """`text` on one line, cut with "..." to fit `width` points."""
    text = _SPACES.sub(" ", text).strip()
    if pdfmetrics.stringWidth(text, font, size) <= width:
        return text
    while text and pdfmetrics.stringWidth(text + "...", font, size) > width:
        text = text[:-1]
    return text + "..."


@dataclass(frozen=True, slots=True)
class Column:
    """A table column: its title, its width in points (None: what the other columns leave of the page) and
    whether its cells are right-aligned (amounts)."""

    title: str
    width: float | None = None
    right: bool = False


class TablePage:
    """One PDF table running over as many pages as it takes: the canvas, the current page number and how far
    down the page the next row goes (`y`). `head(page)` draws the top of every page (`page.number` is 1 on
    the first) and returns the baseline the column titles, or other text, start at; `footer` is the text at
    the foot of every page, beside "Page n of N"."""

    def __init__(
        self,
        out: BinaryIO,
        *,
        pagesize: tuple[float, float],
        columns: Sequence[Column],
        head: Callable[[TablePage], float],
        footer: str,
        size: float = 8.0,
        title: str = "",
        author: str = "",
        subject: str = "",
        margin: float = 36.0,
        bottom: float = 54.0,
        row_height: float = 13.0,
    ) -> None:
        register_cjk()
        self.width, self.height = pagesize
        self.margin, self.bottom, self.row_height, self.size = margin, bottom, row_height, size
        self.columns = tuple(columns)
        rest = self.width - 2 * margin - sum(c.width for c in columns if c.width is not None)
        self.widths = tuple(rest if c.width is None else c.width for c in columns)
        self.head = head
        self.footer = footer
        self.canvas = Canvas(out, pagesize=pagesize, pageCompression=1)
        self.canvas.setTitle(title)
        self.canvas.setAuthor(author)
        self.canvas.setSubject(subject)
        self.canvas.setCreator("CoreBank")
        self.number = 0
        self.y = 0.0

    @property
    def top(self) -> float:
        """The top edge of the printed area."""
        return self.height - self.margin

    def text(self, x: float, y: float, s: str, size: float | None = None, bold: bool = False) -> None:
        """`s` starting at `x`, in the font its characters need."""
        self.canvas.setFont(font_for(s, bold), self.size if size is None else size)
        self.canvas.drawString(x, y, s)

    def right(self, x: float, y: float, s: str, size: float | None = None, bold: bool = False) -> None:
        """`s` ending at `x`, in the font its characters need."""
        self.canvas.setFont(font_for(s, bold), self.size if size is None else size)
        self.canvas.drawRightString(x, y, s)

    def line(self, y: float) -> None:
        """A rule from margin to margin at height `y`."""
        self.canvas.line(self.margin, y, self.width - self.margin, y)

    def start(self, table: bool = True) -> None:
        """Begin a page: its head, then (for the table) the column titles on a grey band, and the footer."""
        self.number += 1
        y = self.head(self)
        self.y = y
        if table:
            self.canvas.setFillColor(_TITLES_SHADE)
            self.canvas.rect(
                self.margin, y - 4, self.width - 2 * self.margin, self.row_height, stroke=0, fill=1
            )
            self.canvas.setFillColorRGB(0, 0, 0)
            self._cells([c.title for c in self.columns], y, bold=True)
            self.y = y - self.row_height
        self._footer()

    def _footer(self) -> None:
        self.canvas.setLineWidth(0.5)
        foot = self.bottom - 24
        self.line(self.bottom - 12)
        self.text(self.margin, foot, self.footer, _FOOT_SIZE)
        label = f"Page {self.number} of "
        x = self.width - self.margin - pdfmetrics.stringWidth(label + "9999", "Helvetica", _FOOT_SIZE)
        self.text(x, foot, label, _FOOT_SIZE)
        # The page count is known only at the end: every page shows one form, filled in once at the end.
        self.canvas.saveState()
        self.canvas.translate(x + pdfmetrics.stringWidth(label, "Helvetica", _FOOT_SIZE), foot)
        self.canvas.doForm(_TOTAL_PAGES)
        self.canvas.restoreState()

    def need(self, rows: int, table: bool = True) -> None:
        """Room for `rows` more rows, or a new page (with the column titles when `table`)."""
        if self.y - (rows - 1) * self.row_height < self.bottom:
            self.canvas.showPage()
            self.start(table)

    def _cells(self, cells: Sequence[str], y: float, bold: bool) -> None:
        x = self.margin
        for value, col, width in zip(cells, self.columns, self.widths, strict=True):
            if value:
                shown = fit(value, font_for(value, bold), self.size, width - 4)
                if col.right:
                    self.right(x + width - 2, y, shown, bold=bold)
                else:
                    self.text(x + 2, y, shown, bold=bold)
            x += width

    def row(self, cells: Sequence[str], bold: bool = False, shade: Color | None = None) -> None:
        """One table row, one cell a column (an empty cell is left blank), on a `shade` band if given."""
        self.need(1)
        if shade is not None:
            self.canvas.setFillColor(shade)
            self.canvas.rect(
                self.margin, self.y - 4, self.width - 2 * self.margin, self.row_height, stroke=0, fill=1
            )
            self.canvas.setFillColorRGB(0, 0, 0)
        self._cells(cells, self.y, bold)
        self.y -= self.row_height

    def rule(self) -> None:
        """A thin rule across the table just above the next row, as over a totals row."""
        self.line(self.y + self.row_height - 4)

    def summary(self, heading: str, rows: Sequence[tuple[str, str]], to: float, table: bool = False) -> None:
        """A heading over label-figure lines (each figure bold, ending `to` points right of the margin), half a
        row below the table; on a new page if they do not fit there (with the column titles when `table`)."""
        self.y -= self.row_height / 2
        self.need(len(rows) + 3, table)
        self.text(self.margin, self.y, heading, 10, bold=True)
        self.y -= self.row_height + 2
        for label, value in rows:
            self.text(self.margin, self.y, label, 9)
            self.right(self.margin + to, self.y, value, 9, bold=True)
            self.y -= self.row_height
        self.y -= 4

    def notes(self, *lines: str) -> None:
        """Small print under what came before, one line each."""
        for n, line in enumerate(lines):
            if n:
                self.y -= self.row_height - 3
            self.text(self.margin, self.y, line, _FOOT_SIZE)

    def finish(self) -> None:
        """Close the last page and write the page count every page refers to."""
        self.canvas.showPage()
        self.canvas.beginForm(_TOTAL_PAGES)
        self.canvas.setFont("Helvetica", _FOOT_SIZE)
        self.canvas.drawString(0, 0, str(self.number))
        self.canvas.endForm()
        self.canvas.save()
