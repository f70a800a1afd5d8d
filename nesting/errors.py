"""The exception hierarchy of leathernest.

Bad input is an :class:`InputError` that knows the file, the place in it and what to do; the CLI
prints it as one line and exits with code 2. A layout rejected by the validator is a
:class:`SolutionInvalidError`: the engine produced it, so it is a bug, never a warning.
"""

from __future__ import annotations


class NestingError(Exception):
    """Base class of every error raised on purpose by leathernest."""


class InputError(NestingError, ValueError):
    """Input that cannot be used: names the file, the place in it, the problem and a hint."""

    def __init__(
        self, message: str, *, path: str | None = None, location: str = "", hint: str = ""
    ) -> None:
        self.message = message
        self.path = path
        self.location = location
        self.hint = hint
        super().__init__(self.one_line())

    def one_line(self) -> str:
        """The error as one line: ``file: location: problem - hint``."""
        parts = [p for p in (self.path, self.location) if p]
        head = ": ".join([*parts, self.message])
        return f"{head} - {self.hint}" if self.hint else head


class JobFileError(InputError):
    """A job or instance file that is not valid JSON or breaks the schema (location: JSON path)."""


class DxfError(InputError):
    """A DXF file that cannot be used (location: layer and entity handle where known)."""

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        layer: str | None = None,
        handle: str | None = None,
        hint: str = "",
    ) -> None:
        self.layer = layer
        self.handle = handle
        where = []
        if layer is not None:
            where.append(f"layer {layer}")
        if handle is not None:
            where.append(f"handle {handle}")
        super().__init__(message, path=path, location=", ".join(where), hint=hint)


class SolutionInvalidError(NestingError):
    """The exact validator rejected a layout the engine produced: always a bug."""

    def __init__(self, violations: list) -> None:
        self.violations = violations
        first = violations[0] if violations else None
        more = f" (and {len(violations) - 1} more)" if len(violations) > 1 else ""
        super().__init__(f"layout failed validation: {first}{more}")
