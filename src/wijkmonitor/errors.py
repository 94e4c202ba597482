"""User-facing errors: one clear message naming the file, the row or column, and what to do."""

from __future__ import annotations

from dataclasses import dataclass


class WijkmonitorError(Exception):
    """An error the user can cause and fix (bad file, unknown area, bad config)."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        row: int | None = None,
        column: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.row = row
        self.column = column
        self.hint = hint
        super().__init__(self.render())

    def render(self) -> str:
        where = []
        if self.file:
            where.append(str(self.file))
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        text = f"{', '.join(where)}: {self.message}" if where else self.message
        if self.hint:
            text += f" {self.hint}"
        return text


class ReaderError(WijkmonitorError):
    """A raw file cannot be read as the format it was declared or detected as."""


class AreaMatchError(WijkmonitorError):
    """An area name or code in a raw file is not in the area register."""


class ConfigError(WijkmonitorError):
    """The configuration is invalid."""


class ValidationFailed(WijkmonitorError):
    """An error-level data expectation failed on the warehouse."""


@dataclass(frozen=True)
class Problem:
    """One located problem, for messages that list several."""

    file: str | None
    row: int | None
    column: str | None
    detail: str

    def render(self) -> str:
        parts = [p for p in (self.file, f"row {self.row}" if self.row is not None else None,
                             f"column {self.column!r}" if self.column else None) if p]
        return f"{', '.join(parts)}: {self.detail}" if parts else self.detail
