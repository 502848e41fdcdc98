"""What the socket server reads through the desk's services, handed in by the composition root (app/main.py):
realtime/ never imports services/, so the rules of who sees what stay written once, in the services."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Client, User


@dataclass(frozen=True)
class DeskReads:
    # The clients a user may see (admins and viewers: every one; an advisor: their own), as a query to narrow.
    visible_clients: Callable[[User], Select[tuple[Client]]]
    # A batch's progress: its rows with a verdict, and all its rows.
    batch_done_total: Callable[[AsyncSession, int], Awaitable[tuple[int, int]]]
