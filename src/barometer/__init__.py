"""Integrationsbarometer: integration indicators for Danish municipalities."""

__version__ = "0.1.0"
