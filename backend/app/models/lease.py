"""Leases: a named, expiring hold that serialises one kind of work across every process sharing the database.

A lease is a row: taken by inserting it, or by overwriting one whose holder let it expire (a process that died
holding it); given back by deleting it. Unlike a database lock it holds no connection, so its holder may wait on a
broker while it holds it.
"""

from datetime import datetime

from sqlalchemy import String
from sqlmodel import Field, SQLModel

from app.models.types import UTCDateTime


class Lease(SQLModel, table=True):
    __tablename__ = "leases"

    name: str = Field(sa_type=String(80), primary_key=True)
    holder: str = Field(sa_type=String(64))
    expires_at: datetime = Field(sa_type=UTCDateTime)
