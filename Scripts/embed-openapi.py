#!/usr/bin/env python3
"""Writes Sources/StrataServer/OpenAPIDocument.swift from openapi.yaml (the service serves the embedded
copy at /openapi.yaml, so the binary needs no resource files). Run after editing openapi.yaml; a test
checks that the two are identical."""
import pathlib

root = pathlib.Path(__file__).resolve().parents[1]
text = (root / "openapi.yaml").read_text()
assert '"""' not in text and "\\" not in text, "openapi.yaml must not contain triple quotes or backslashes"
assert text.endswith("\n")
body = "".join("    " + line if line != "\n" else line for line in text.splitlines(True))
(root / "Sources" / "StrataServer" / "OpenAPIDocument.swift").write_text(
    "/// The service's OpenAPI document, served at `/openapi.yaml`: the same text as `openapi.yaml` at the\n"
    "/// repository's root (written by Scripts/embed-openapi.py; a test keeps them identical).\n"
    "enum OpenAPIDocument {\n"
    '  static let text = """\n' + body + '    """\n    + "\\n"\n}\n'
)
