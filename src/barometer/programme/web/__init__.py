"""The programme's web app and JSON API (``create_programme_app``)."""

from barometer.programme.web.app import (
    ProgrammeSettings,
    create_programme_app,
    create_standalone_app,
)

__all__ = ["ProgrammeSettings", "create_programme_app", "create_standalone_app"]
