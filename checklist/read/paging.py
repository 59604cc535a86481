"""Long lists a page at a time: a city's lists run to tens of thousands of rows."""

from dataclasses import dataclass

from flask import request
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from checklist.db import sql_int

PAGE_SIZE = 50


@dataclass(frozen=True)
class Page:
    rows: list
    total: int
    number: int

    @property
    def pages(self) -> int:
        return -(-self.total // PAGE_SIZE)


def paged(session: Session, query: Select) -> Page:
    """The rows of the page the query string asks for (?page=N, from 1), and how many rows there are in all."""
    number = max(request.args.get("page", 1, type=sql_int), 1)
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = session.scalars(query.limit(PAGE_SIZE).offset((number - 1) * PAGE_SIZE)).unique().all()
    return Page(list(rows), total, number)
