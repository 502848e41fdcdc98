"""MultiDesk backend: one screen to trade many broker client accounts."""
