"""Exchange calendars: the port (port.py) and its adapter over exchange_calendars with our holiday corrections."""
