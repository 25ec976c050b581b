"""Encryption of stored credentials (Fernet: AES-128-CBC + HMAC-SHA256, from ``cryptography``)."""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken


class SecretKeyError(Exception):
    """The encryption key is missing, unreadable or not the one the data was written with."""


class SecretBox:
    """Encrypts and decrypts secret strings for storage. Never logs or shows what it holds."""

    def __init__(self, key: bytes) -> None:
        try:
            self._fernet = Fernet(key)
        except (ValueError, TypeError) as exc:
            raise SecretKeyError(
                "The encryption key is not a valid Fernet key (32 url-safe base64-encoded bytes)."
            ) from exc

    def __repr__(self) -> str:
        return "SecretBox(<key hidden>)"

    @staticmethod
    def generate_key() -> bytes:
        return Fernet.generate_key()

    def encrypt(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode("utf-8")
        except InvalidToken as exc:
            raise SecretKeyError(
                "Stored credentials cannot be decrypted with the current key: set CHANNEL_MANAGER_SECRET_KEY "
                "or the key file to the key they were saved with."
            ) from exc


def write_key_file(path: Path) -> bytes:
    """Creates ``path`` with a new key, readable by its owner only (mode 0600). Keeps an existing one."""
    if path.exists():
        return read_key_file(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    key = SecretBox.generate_key()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(key + b"\n")
    return key


def read_key_file(path: Path) -> bytes:
    try:
        return path.read_bytes().strip()
    except FileNotFoundError as exc:
        raise SecretKeyError(
            f"No encryption key: {path} does not exist. Run `channel-manager init` or set CHANNEL_MANAGER_SECRET_KEY."
        ) from exc
    except OSError as exc:
        raise SecretKeyError(f"Cannot read the encryption key file {path}: {exc.strerror}.") from exc
