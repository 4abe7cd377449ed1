"""Welcome House pages and JSON API (``create_welcomehouse_app``)."""

from barometer.welcomehouse.web.app import (
    WelcomeSettings,
    create_standalone_app,
    create_welcomehouse_app,
)

__all__ = ["WelcomeSettings", "create_standalone_app", "create_welcomehouse_app"]
