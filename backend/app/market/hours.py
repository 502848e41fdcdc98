"""NSE equity trading hours (09:15-15:30 Asia/Kolkata, Monday to Friday); holidays are the market calendar's job."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

IST = ZoneInfo("Asia/Kolkata")
OPENS = time(9, 15)
CLOSES = time(15, 30)


def nse_is_open(at: datetime) -> bool:
    local = at.astimezone(IST)
    return local.weekday() < 5 and OPENS <= local.time() < CLOSES
