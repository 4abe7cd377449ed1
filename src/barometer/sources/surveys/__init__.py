"""Survey microdata as a source of observations (DOMAIN.md §1.6, §2.3)."""

from barometer.sources.surveys.demo import generate_demo_surveys
from barometer.sources.surveys.importer import survey_input
from barometer.sources.surveys.spec import load_spec

__all__ = ["generate_demo_surveys", "load_spec", "survey_input"]
