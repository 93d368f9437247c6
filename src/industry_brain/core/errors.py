"""Errors a user sees. Each carries a message that names what is wrong and where."""

from __future__ import annotations


class IndustryBrainError(Exception):
    """Base of the errors the CLI and API turn into a one-line message."""


class FileRejected(IndustryBrainError):
    """The whole file cannot be imported; nothing was written.

    `file` is the file's name, `reason` says why in a way a department can act on.
    """

    def __init__(self, file: str, reason: str) -> None:
        self.file = file
        self.reason = reason
        super().__init__(f"{file}: {reason}")


class ConfigurationError(IndustryBrainError):
    """A setting or argument that cannot be used."""
