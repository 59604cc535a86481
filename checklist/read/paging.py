"""Long lists a page at a time, or streamed whole to a spreadsheet: a city's lists run to tens of thousands of
rows."""

from dataclasses import dataclass

from sqlalchemy import Result, Select, func, select
from sqlalchemy.orm import Session

PAGE_SIZE = 50
STREAMED_ROWS = 1000  # rows fetched at a time from a list streamed whole


@dataclass(frozen=True)
class Page:
    rows: list
    total: int
    number: int

    @property
    def pages(self) -> int:
        return -(-self.total // PAGE_SIZE)


def paged(session: Session, number: int, query: Select) -> Page:
    """The rows of the query's page number (from 1), and how many rows there are in all."""
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = session.scalars(query.limit(PAGE_SIZE).offset((number - 1) * PAGE_SIZE)).unique().all()
    return Page(list(rows), total, number)


def streamed(session: Session, query: Select) -> Result:
    """The rows of the query as they come, STREAMED_ROWS at a time: a list of any length in the same memory."""
    return session.execute(query.execution_options(yield_per=STREAMED_ROWS))
