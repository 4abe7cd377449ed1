"""The words of the case modules' shared pages (the page frame, login, errors) in Danish (the
default) and English; each module adds its own words to these."""

from __future__ import annotations

LANGS = ("da", "en")
WORDS: dict[str, tuple[str, str]] = {
    "skip": ("Gå til indhold", "Skip to content"),
    "synthetic": ("SYNTETISKE DATA: ingen rigtige personer", "SYNTHETIC DATA: no real persons"),
    "login": ("Log ind", "Log in"),
    "logout": ("Log ud", "Log out"),
    "username": ("Brugernavn", "Username"),
    "password": ("Adgangskode", "Password"),
    "login_failed": ("Forkert brugernavn eller adgangskode.", "Wrong username or password."),
    "login_throttled": (
        "For mange forkerte forsøg. Prøv igen senere.",
        "Too many failed attempts. Try again later.",
    ),
    "demo_login": ("Demo-login (kun syntetiske data)", "Demo login (synthetic data only)"),
    "demo_as": ("Log ind som", "Log in as"),
    "nav": ("Hovedmenu", "Main menu"),
    "language": ("English", "Dansk"),
    "not_found": ("Ikke fundet", "Not found"),
}


def pick(words: tuple[str, str], lang: str) -> str:
    """The English or the Danish of a (Danish, English) pair."""
    da, en = words
    return en if lang == "en" else da
