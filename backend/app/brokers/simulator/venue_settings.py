"""VenueSettings: how a backend process reaches the shared simulator venue (venue_server.py) over HTTP."""

from dataclasses import dataclass


@dataclass(frozen=True)
class VenueSettings:
    # The venue's base URL, e.g. http://simulator:8100 (MULTIDESK_SIMULATOR_URL).
    url: str
    # One HTTP request to the venue; keep it under the broker call timeout so a slow venue reads as no answer.
    timeout_s: float = 5.0
    # Pause before the event stream reconnects after the venue went away.
    reconnect_s: float = 1.0
    # Without a byte from the event stream (the venue sends a heartbeat every few seconds) for this long, the
    # connection counts as dead and is opened again.
    stream_idle_s: float = 15.0

    def __post_init__(self) -> None:
        if not self.url.startswith(("http://", "https://")):
            raise ValueError(f"the simulator venue URL must be http(s)://host:port, not {self.url!r}")
        if self.timeout_s <= 0 or self.reconnect_s <= 0 or self.stream_idle_s <= 0:
            raise ValueError("venue timeouts must be positive")
