"""/api/v1/book: the caller's clients' positions and holdings across the desk, per token, their totals and a CSV."""

import csv
import io
from collections.abc import Iterator

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from app.api.deps import ContextDep, CurrentUser, SessionDep
from app.schemas.book import BookPositionsOut, BookSummaryOut
from app.schemas.common import ERROR_RESPONSES
from app.services import book

router = APIRouter(prefix="/book", tags=["book"], responses=ERROR_RESPONSES)


@router.get("/positions")
async def book_positions(user: CurrentUser, ctx: ContextDep, session: SessionDep) -> BookPositionsOut:
    return book.positions(await book.read_book(ctx, session, user))


@router.get("/summary")
async def book_summary(user: CurrentUser, ctx: ContextDep, session: SessionDep) -> BookSummaryOut:
    return book.summary(await book.read_book(ctx, session, user))


@router.get("/positions.csv", response_class=StreamingResponse)
async def book_positions_csv(user: CurrentUser, ctx: ContextDep, session: SessionDep) -> StreamingResponse:
    rows = book.csv_rows(book.positions(await book.read_book(ctx, session, user)))
    return StreamingResponse(
        _csv_text(rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="book.csv"'},
    )


def _csv_text(rows: Iterator[list[object]]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow(row)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
