"""What one web process holds: settings, the database engine and sessions, the clock and the sync launcher."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from middleware.api.sync_launcher import SyncLauncher
from middleware.api.throttle import RateLimiter
from middleware.clock import Clock, SystemClock, clock_from_settings
from middleware.config import ConfigError, Settings
from middleware.db.session import make_engine, make_session_factory

__all__ = ["ApiRuntime", "build_runtime"]


@dataclass
class ApiRuntime:
    settings: Settings
    engine: Engine
    session_factory: sessionmaker[Session]
    clock: Clock
    launcher: SyncLauncher
    limiter: RateLimiter
    # Token lifetimes are security durations that clients count in real seconds (expires_in), so they never
    # follow a warped clock: a scenario simulating a week must not see its 8-hour admin token expire.
    token_clock: Clock = field(default_factory=SystemClock)

    @property
    def jwt_secret(self) -> str:
        secret = self.settings.JWT_SECRET_KEY
        if secret is None:
            raise ConfigError("missing required environment variables: JWT_SECRET_KEY")
        return secret.get_secret_value()

    @property
    def form_secret(self) -> str:
        """Key of the UI's CSRF form tokens (SECRET_KEY, falling back to the JWT key)."""
        secret = self.settings.SECRET_KEY or self.settings.JWT_SECRET_KEY
        if secret is None:
            raise ConfigError("missing required environment variables: SECRET_KEY")
        return secret.get_secret_value()

    def close(self) -> None:
        self.launcher.close()
        self.limiter.close()
        self.engine.dispose()


def build_runtime(settings: Settings) -> ApiRuntime:
    if settings.DATABASE_URL is None:
        raise ConfigError("missing required environment variables: DATABASE_URL")
    engine = make_engine(settings.DATABASE_URL)
    factory = make_session_factory(engine)
    clock = clock_from_settings(settings.CLOCK_SPEED, settings.CLOCK_ANCHOR)
    launcher = SyncLauncher(settings, engine, factory, clock)
    return ApiRuntime(
        settings=settings,
        engine=engine,
        session_factory=factory,
        clock=clock,
        launcher=launcher,
        limiter=RateLimiter(settings.REDIS_URL),
    )
