"""Broker adapters: the contract every broker implements (base) and the implementations (simulator, motilal)."""
