"""Realtime: the event bus services publish to, and (with Socket.IO) the rooms browsers listen in."""
