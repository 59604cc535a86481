"""Long lists a page at a time, or streamed whole to a spreadsheet: a city's lists run to hundreds of
thousands of rows."""

from dataclasses import dataclass

from sqlalchemy import Result, Select, func, select
from sqlalchemy.orm import Session

PAGE_SIZE = 50
COUNT_CAP = 1_000  # counting further costs up to seconds at city scale and tells a reader little more
STREAMED_ROWS = 1000  # rows fetched at a time from a list streamed whole


@dataclass(frozen=True)
class Page:
    rows: list
    total: int  # all the rows, or the cap when `capped` (there are more)
    number: int
    capped: bool = False

    @property
    def pages(self) -> int:
        return -(-self.total // PAGE_SIZE)

    @property
    def first(self) -> int:
        """The position of the page's first row in the whole list, from 1."""
        return (self.number - 1) * PAGE_SIZE + 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages or self.capped

    def __str__(self) -> str:
        """The count as the lists' headings show it: "10000+" when capped."""
        return f"{self.total}+" if self.capped else str(self.total)


def paged(session: Session, number: int, query: Select, count_all: bool = False) -> Page:
    """The rows of the query's page number (from 1), and how many rows there are in all: counted up to COUNT_CAP (or
    to the page's end when it lies further), so that a million rows are never counted, unless `count_all`."""
    counted, cap = query.order_by(None), None
    if not count_all:
        cap = max(COUNT_CAP, number * PAGE_SIZE)
        counted = counted.limit(cap + 1)  # one more than the cap says whether there are more
    total = session.scalar(select(func.count()).select_from(counted.subquery()))
    rows = session.scalars(query.limit(PAGE_SIZE).offset((number - 1) * PAGE_SIZE)).unique().all()
    capped = cap is not None and total > cap
    return Page(list(rows), cap if capped else total, number, capped)


def streamed(session: Session, query: Select) -> Result:
    """The rows of the query as they come, STREAMED_ROWS at a time: a list of any length in the same memory."""
    return session.execute(query.execution_options(yield_per=STREAMED_ROWS))
