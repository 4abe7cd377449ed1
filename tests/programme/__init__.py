"""Tests of the refugee programme module (a package, so its conftest does not shadow tests/conftest.py)."""
