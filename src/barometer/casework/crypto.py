"""CPR numbers at rest: AES-GCM encryption and a keyed lookup hash (databeskyttelsesloven § 11).

One 32-byte secret, kept outside the database (a key file or an environment variable), gives
two keys through HKDF: one encrypts, one hashes for lookup. The database alone reveals neither
a CPR number nor whether a given number is present.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from datetime import date
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from barometer.errors import BarometerError

KEY_ENV = "BAROMETER_PROGRAMME_KEY"  # the secret, base64
KEY_FILE_ENV = "BAROMETER_PROGRAMME_KEY_FILE"  # or a file holding it
FORMAT_V1 = b"\x01"


class CprKeyError(BarometerError):
    """The CPR key is missing or malformed."""


def normalise_cpr(text: str) -> str | None:
    """Ten digits (``DDMMYY-SSSS`` or ``DDMMYYSSSS``) with a real date, else None."""
    digits = text.strip().replace("-", "").replace(" ", "")
    if len(digits) != 10 or not digits.isdigit():
        return None
    if cpr_birth_date(digits) is None:
        return None
    return digits


def cpr_birth_date(cpr: str) -> date | None:
    """The birth date a CPR number encodes (century from the 7th digit, CPR office table)."""
    day, month, yy, s7 = int(cpr[:2]), int(cpr[2:4]), int(cpr[4:6]), int(cpr[6])
    if s7 <= 3:
        century = 1900
    elif s7 in (4, 9):
        century = 2000 if yy <= 36 else 1900
    else:  # 5-8
        century = 2000 if yy <= 57 else 1800
    try:
        return date(century + yy, month, day)
    except ValueError:
        return None


def mask_cpr(birth_date: date) -> str:
    """The masked form shown everywhere: the date part only, ``DDMMYY-****``."""
    return birth_date.strftime("%d%m%y") + "-****"


class CprVault:
    """Encrypts, decrypts and hashes CPR numbers with keys derived from one secret."""

    def __init__(self, secret: bytes) -> None:
        if len(secret) != 32:
            raise CprKeyError("the CPR key must be 32 bytes (base64 in the key file)")
        self._aead = AESGCM(_derive(secret, b"barometer-programme cpr encryption"))
        self._hash_key = _derive(secret, b"barometer-programme cpr lookup")

    def encrypt(self, cpr: str) -> bytes:
        nonce = os.urandom(12)
        return FORMAT_V1 + nonce + self._aead.encrypt(nonce, cpr.encode(), b"cpr")

    def decrypt(self, blob: bytes) -> str:
        if blob[:1] != FORMAT_V1:
            raise CprKeyError("unknown CPR cipher format")
        return self._aead.decrypt(blob[1:13], blob[13:], b"cpr").decode()

    def lookup_hash(self, cpr: str) -> str:
        return hmac.new(self._hash_key, cpr.encode(), hashlib.sha256).hexdigest()


def _derive(secret: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(secret)


def read_secret(text: str, where: str) -> bytes:
    try:
        secret = base64.b64decode(text.strip(), validate=True)
    except ValueError:
        raise CprKeyError(f"{where}: not base64") from None
    if len(secret) != 32:
        raise CprKeyError(f"{where}: the key must decode to 32 bytes")
    return secret


def load_vault(key_file: Path | None = None) -> CprVault:
    """The vault from ``key_file``, else ``$BAROMETER_PROGRAMME_KEY_FILE``, else
    ``$BAROMETER_PROGRAMME_KEY``; a clear error when none is set."""
    path = key_file or (Path(os.environ[KEY_FILE_ENV]) if os.environ.get(KEY_FILE_ENV) else None)
    if path is not None:
        if not path.is_file():
            raise CprKeyError(f"{path}: CPR key file not found")
        return CprVault(read_secret(path.read_text(), str(path)))
    if os.environ.get(KEY_ENV):
        return CprVault(read_secret(os.environ[KEY_ENV], KEY_ENV))
    raise CprKeyError(
        f"no CPR key: give --key-file, or set {KEY_FILE_ENV} or {KEY_ENV} "
        "(create one with `barometer programme keygen --out FILE`)"
    )


def write_key_file(path: Path) -> None:
    """A new random secret, readable by the owner only; an existing file is never replaced."""
    if path.exists():
        raise CprKeyError(f"{path}: exists already; a key is never overwritten")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(base64.b64encode(secrets.token_bytes(32)).decode() + "\n")
