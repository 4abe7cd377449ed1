"""The indicator catalogue: one YAML file per indicator, validated by strict models."""

from barometer.catalogue.loader import load_catalogue

__all__ = ["load_catalogue"]
