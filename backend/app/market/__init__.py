"""Market data: the instrument (token) list, the market calendar and the price feed."""
