#!/usr/bin/env python3
"""Writes Sources/StrataReport/ShortestDigits+Powers.swift: the 126-bit powers of ten that ShortestDigits (the
shortest round-trip digits of a double, after Giulietti's Schubfach method, "The Schubfach way to render doubles",
2020) multiplies a scaled significand by. Python's exact integers make every entry; run it again only to change
the table.

Entry e (for e = -292 ... 324, the range of -k for every normal double's decimal exponent k) is
g(e) = floor(10^e * 2^(125 - beta(e))) + 1 with beta(e) = floor(e * log2(10)), so that 2^125 < g(e) <= 2^126: an
overestimate of 10^e by less than one unit in its last place, as the method's error bound requires. Stored as two
64-bit words (high, low).

ShortestDigits computes floor(q * log10(2)), floor(q * log10(2) + log10(3/4)) and beta(e) with integer
multiplications and shifts; this script checks those formulas exactly for every exponent they are used with."""
import pathlib
from fractions import Fraction

SMALLEST, LARGEST = -292, 324


def floor_log(base, value):
    """floor(log_base(value)) of a positive Fraction, exactly."""
    n = 0
    while Fraction(base) ** n > value:
        n -= 1
    while Fraction(base) ** (n + 1) <= value:
        n += 1
    return n


def beta(e):
    return floor_log(2, Fraction(10) ** e)


def entry(e):
    shift = 125 - beta(e)
    scaled = Fraction(10) ** e * Fraction(2) ** shift
    value = scaled.numerator // scaled.denominator + 1
    assert 1 << 125 < value <= 1 << 126, e
    return value >> 64, value & ((1 << 64) - 1)


# The binary exponents q of normal doubles (c * 2^q with 2^52 <= c < 2^53) run from -1074 to 971.
for q in range(-1074, 972):
    assert (q * 1262611) >> 22 == floor_log(10, Fraction(2) ** q), q
    assert (q * 1262611 - 524031) >> 22 == floor_log(10, Fraction(3, 4) * Fraction(2) ** q), q
    for k in ((q * 1262611) >> 22, (q * 1262611 - 524031) >> 22):
        assert SMALLEST <= -k <= LARGEST, q
        h = q + ((-k * 1741647) >> 19) + 3
        assert 3 <= h <= 9, (q, h)  # (4c + 2) << h stays below 2^64
for e in range(SMALLEST, LARGEST + 1):
    assert (e * 1741647) >> 19 == beta(e), e

lines = [
    "// Written by Scripts/shortest-digits-table.py; do not edit by hand.",
    "",
    "extension ShortestDigits {",
    f"  /// The smallest decimal exponent in ``powersOfTen``: {SMALLEST}.",
    f"  static let smallestPowerOfTen = {SMALLEST}",
    "",
    f"  /// The powers of ten from 10^{SMALLEST} to 10^{LARGEST}, each scaled into (2^125, 2^126] and rounded up past its",
    "  /// exact value (floor + 1): high word, then low word (see Scripts/shortest-digits-table.py).",
    "  static let powersOfTen: [UInt64] = [",
]
for e in range(SMALLEST, LARGEST + 1):
    high, low = entry(e)
    lines.append(f"    0x{high:016X}, 0x{low:016X},  // 10^{e}")
lines += ["  ]", "}", ""]
path = pathlib.Path(__file__).resolve().parents[1] / "Sources" / "StrataReport" / "ShortestDigits+Powers.swift"
path.write_text("\n".join(lines))
