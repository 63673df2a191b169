"""Secret scan: every secret handed out, searched in files and texts: plain, URL-encoded, JSON, base64.

`scan_paths(secrets, paths)` / `scan_texts(secrets, texts)` take `secrets` as {name: value} (e.g.
`{"LOGIKAL_AUTH_PASSWORD": "…"}`); values shorter than `min_length` are skipped (they would match ordinary
words) and listed in `SecretScan.skipped`. A hit names the source, the 1-based line, the secret's name and the
form found; its excerpt is the line with every secret form replaced by `[REDACTED:<name>]` — never the value.

Base64 is searched at all three byte alignments, so a secret inside a longer encoded value (`user:password`
in a Basic header, a token inside a JSON blob) is found too: for each alignment only the characters that
depend on the secret's bytes alone are searched.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, quote_plus

__all__ = ["SecretHit", "SecretScan", "redact", "scan_paths", "scan_texts", "secret_forms"]

_MIN_BASE64_CORE = 8
_EXCERPT_CHARS = 240


@dataclass(frozen=True)
class SecretHit:
    source: str
    line: int
    secret: str  # the secret's name, never its value
    form: str  # plain, url, url_plus, json, base64, base64url
    excerpt: str  # the line, redacted

    def __str__(self) -> str:
        return f"{self.source}:{self.line}: {self.secret} ({self.form}): {self.excerpt}"


@dataclass
class SecretScan:
    hits: list[SecretHit] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # names whose value is too short to scan for
    sources: int = 0

    @property
    def ok(self) -> bool:
        return not self.hits


def _base64_cores(data: bytes, alphabet: str) -> set[str]:
    """Substrings of the base64 of any text containing `data`, one per byte alignment."""
    encode = base64.urlsafe_b64encode if alphabet == "base64url" else base64.b64encode
    cores = set()
    for offset in range(3):
        encoded = encode(b"\0" * offset + data).decode("ascii")
        first = -(-offset * 8 // 6)  # characters that still carry bits of the bytes before the secret
        last = (offset + len(data)) * 8 // 6  # characters made of the secret's bits only end here
        core = encoded[first:last]
        if len(core) >= _MIN_BASE64_CORE:
            cores.add(core)
    return cores


def secret_forms(value: str) -> dict[str, str]:
    """{needle: form name}: the ways a value shows up in logs, URLs, JSON and encoded headers."""
    forms: dict[str, str] = {value: "plain"}
    for form, needle in (
        ("url", quote(value, safe="")),
        ("url_plus", quote_plus(value, safe="")),
        ("json", json.dumps(value)[1:-1]),
    ):
        forms.setdefault(needle, form)
    data = value.encode("utf-8")
    for alphabet in ("base64", "base64url"):
        for core in sorted(_base64_cores(data, alphabet)):
            forms.setdefault(core, alphabet)
    return forms


def _needles(secrets: Mapping[str, str], min_length: int) -> tuple[list[tuple[str, str, str]], list[str]]:
    """([(needle, secret name, form)], skipped names); longest needles first so redaction covers overlaps."""
    needles: list[tuple[str, str, str]] = []
    skipped: list[str] = []
    for name, value in secrets.items():
        if len(value) < min_length:
            skipped.append(name)
            continue
        needles.extend((needle, name, form) for needle, form in secret_forms(value).items())
    needles.sort(key=lambda item: -len(item[0]))
    return needles, sorted(skipped)


def redact(line: str, needles: Iterable[tuple[str, str, str]]) -> str:
    """The line with every needle replaced by `[REDACTED:<name>]`, cut to a readable length."""
    for needle, name, _ in needles:
        line = line.replace(needle, f"[REDACTED:{name}]")
    line = line.rstrip("\r\n")
    if len(line) > _EXCERPT_CHARS:
        start = max(line.find("[REDACTED:") - _EXCERPT_CHARS // 3, 0)
        line = ("…" if start else "") + line[start : start + _EXCERPT_CHARS] + "…"
    return line


def _scan_text(source: str, text: str, needles: list[tuple[str, str, str]]) -> Iterator[SecretHit]:
    seen: set[tuple[int, str, str]] = set()
    lines: list[str] | None = None
    for needle, name, form in needles:
        start = text.find(needle)
        while start != -1:
            number = text.count("\n", 0, start) + 1
            if (number, name, form) not in seen:
                seen.add((number, name, form))
                lines = lines if lines is not None else text.split("\n")
                yield SecretHit(source, number, name, form, redact(lines[number - 1], needles))
            start = text.find(needle, start + 1)


def _text(content: str | bytes) -> str:
    return content.decode("utf-8", errors="replace") if isinstance(content, bytes) else content


def scan_texts(
    secrets: Mapping[str, str], texts: Mapping[str, str | bytes], *, min_length: int = 8
) -> SecretScan:
    """Scan named texts ({source name: content}) for every secret."""
    needles, skipped = _needles(secrets, min_length)
    scan = SecretScan(skipped=skipped, sources=len(texts))
    for source, content in texts.items():
        scan.hits.extend(_scan_text(source, _text(content), needles))
    scan.hits.sort(key=lambda hit: (hit.source, hit.line, hit.secret, hit.form))
    return scan


def _files(paths: Iterable[Path]) -> Iterator[Path]:
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file())
        elif path.is_file():
            yield path


def scan_paths(secrets: Mapping[str, str], paths: Iterable[Path], *, min_length: int = 8) -> SecretScan:
    """Scan files (directories recursively) for every secret; unreadable files are skipped."""
    needles, skipped = _needles(secrets, min_length)
    scan = SecretScan(skipped=skipped)
    for path in _files(paths):
        try:
            content = path.read_bytes()
        except OSError:
            continue
        scan.sources += 1
        scan.hits.extend(_scan_text(str(path), _text(content), needles))
    scan.hits.sort(key=lambda hit: (hit.source, hit.line, hit.secret, hit.form))
    return scan
