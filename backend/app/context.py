"""The long-lived objects one app instance shares: settings, database, vault, token issuer."""

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.config import Settings
from app.db import make_engine, make_sessionmaker
from app.security.tokens import TokenIssuer
from app.security.vault import CredentialVault


@dataclass
class AppContext:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    vault: CredentialVault
    tokens: TokenIssuer

    @classmethod
    def build(cls, settings: Settings) -> "AppContext":
        settings.ensure_secrets()
        assert settings.jwt_secret is not None
        engine = make_engine(settings.resolved_database_url)
        return cls(
            settings=settings,
            engine=engine,
            sessions=make_sessionmaker(engine),
            vault=CredentialVault(settings.encryption_keys),
            tokens=TokenIssuer(
                settings.jwt_secret,
                access_ttl=timedelta(minutes=settings.access_token_minutes),
                refresh_ttl=timedelta(days=settings.refresh_token_days),
            ),
        )

    async def close(self) -> None:
        await self.engine.dispose()
