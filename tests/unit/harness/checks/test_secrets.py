"""The secret scan: plain, URL-encoded, JSON-escaped and base64 forms are found, redacted, located by line."""

from __future__ import annotations

import base64
import json
import random
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest

from harness.checks.secrets import scan_paths, scan_texts, secret_forms

SECRET = "s3cr3t Pa55w0rd/+=é"
SECRETS = {"LOGIKAL_AUTH_PASSWORD": SECRET, "ADMIN_PASSWORD": "short"}


def test_a_plain_secret_is_found_with_its_line_and_redacted() -> None:
    log = "starting\nconnecting with password=" + SECRET + " to logikal\ndone\n"
    scan = scan_texts(SECRETS, {"worker.log": log})
    (hit,) = scan.hits
    assert (hit.source, hit.line, hit.secret, hit.form) == ("worker.log", 2, "LOGIKAL_AUTH_PASSWORD", "plain")
    assert hit.excerpt == "connecting with password=[REDACTED:LOGIKAL_AUTH_PASSWORD] to logikal"
    assert SECRET not in str(hit)
    assert not scan.ok


@pytest.mark.parametrize(
    ("form", "encode"),
    [
        ("url", lambda s: quote(s, safe="")),
        ("url_plus", lambda s: quote_plus(s, safe="")),
        ("json", lambda s: json.dumps(s)[1:-1]),
    ],
)
def test_encoded_forms_are_found(form: str, encode: object) -> None:
    assert callable(encode)
    text = f"GET /login?user=admin&password={encode(SECRET)}&x=1"
    scan = scan_texts({"P": SECRET}, {"access.log": text})
    assert form in {hit.form for hit in scan.hits}
    assert all(encode(SECRET) not in hit.excerpt for hit in scan.hits)


@pytest.mark.parametrize("prefix", ["", "a", "ab", "abc", "user:", "admin:"])
@pytest.mark.parametrize("urlsafe", [False, True])
def test_base64_is_found_at_every_alignment_inside_a_longer_value(prefix: str, urlsafe: bool) -> None:
    encode = base64.urlsafe_b64encode if urlsafe else base64.b64encode
    blob = encode(f"{prefix}{SECRET}@tail".encode()).decode()
    scan = scan_texts({"P": SECRET}, {"evidence.json": f'{{"auth": "Basic {blob}"}}\n'})
    assert {hit.form for hit in scan.hits} & {"base64", "base64url"}
    assert all(hit.line == 1 for hit in scan.hits)


def test_too_short_values_are_skipped_and_named() -> None:
    scan = scan_texts(SECRETS, {"out": "admin password is short"})
    assert scan.ok
    assert scan.skipped == ["ADMIN_PASSWORD"]


def test_clean_texts_and_random_base64_do_not_hit() -> None:
    noise = base64.b64encode(random.Random(1).randbytes(200_000)).decode()
    scan = scan_texts({"K": "Zx9-very-long-secret-key-value"}, {"a": "nothing here\n", "b": noise})
    assert scan.ok
    assert scan.sources == 2


def test_every_line_and_every_secret_is_reported_once() -> None:
    other = "jwt-signing-key-0123456789"
    text = f"{SECRET} {SECRET}\nok\n{other} and {SECRET}\n"
    scan = scan_texts({"A": SECRET, "B": other}, {"x": text})
    assert [(h.line, h.secret) for h in scan.hits if h.form == "plain"] == [(1, "A"), (3, "A"), (3, "B")]
    assert scan.hits[-1].excerpt == "[REDACTED:B] and [REDACTED:A]"


def test_long_lines_are_cut_around_the_redaction() -> None:
    scan = scan_texts({"A": SECRET}, {"x": "x" * 5000 + SECRET + "y" * 5000})
    (hit,) = scan.hits
    assert len(hit.excerpt) < 300
    assert "[REDACTED:A]" in hit.excerpt


def test_scan_paths_walks_directories_and_reads_bytes(tmp_path: Path) -> None:
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "web.log").write_text("a\nb\nSECRET_KEY=" + SECRET + "\n")
    (tmp_path / "report.html").write_bytes(b"\x00\xff<p>" + quote(SECRET, safe="").encode() + b"</p>")
    (tmp_path / "clean.txt").write_text("nothing")
    scan = scan_paths({"SECRET_KEY": SECRET}, [tmp_path, tmp_path / "missing.log"])
    assert scan.sources == 3
    assert [(Path(h.source).name, h.line, h.form) for h in scan.hits] == [
        ("web.log", 3, "plain"),
        ("report.html", 1, "url"),
    ]


def test_forms_of_a_plain_ascii_value_collapse() -> None:
    forms = secret_forms("abcdefghijkl")
    assert forms["abcdefghijkl"] == "plain"
    assert set(forms.values()) == {"plain", "base64"}  # url/json forms equal the value; base64url = base64
