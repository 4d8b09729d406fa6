"""Paths into a webhook payload, as route files write them: a JSON Pointer (`/data/aangifte/nummer`,
RFC 6901) or a dotted path (`data.aangifte.nummer`). A numeric segment indexes a list."""

from __future__ import annotations

from dataclasses import dataclass

MISSING = object()


class PathError(ValueError):
    pass


@dataclass(frozen=True)
class PayloadPath:
    text: str
    segments: tuple

    @classmethod
    def parse(cls, text) -> PayloadPath:
        if not isinstance(text, str) or not text.strip():
            raise PathError("a path must be a non-empty text such as /data/field or data.field")
        text = text.strip()
        if text.startswith("/"):
            segments = tuple(s.replace("~1", "/").replace("~0", "~") for s in text[1:].split("/"))
        else:
            segments = tuple(text.split("."))
        if any(s == "" for s in segments):
            raise PathError(f"'{text}' has an empty segment")
        return cls(text, segments)

    def resolve(self, payload):
        """The value at this path, or MISSING."""
        value = payload
        for segment in self.segments:
            if isinstance(value, dict):
                if segment not in value:
                    return MISSING
                value = value[segment]
            elif isinstance(value, list) and segment.isdigit() and int(segment) < len(value):
                value = value[int(segment)]
            else:
                return MISSING
        return value

    @property
    def dotted(self) -> str:
        """How an error message names the field: data.aangifte.nummer."""
        return ".".join(self.segments)

    def __str__(self) -> str:
        return self.text
