"""Market data: the instrument (token) list, the market-data port and its implementations, the price stream."""
