#!/usr/bin/env python3
"""Writes Sources/StrataAnalysis/Data/NumberParser+PowersOfFive.swift: the 128-bit powers of five that
NumberParser's Eisel-Lemire path multiplies a decimal significand by (Lemire 2021, "Number Parsing at a
Gigabyte per Second"). Python's exact integers make every entry; run it again only to change the table.

Entry q (for q = -342 ... 308) is 5^q scaled by a power of two into [2^127, 2^128), as two 64-bit words
(high, low). For 0 <= q <= 55 it is exact; for q > 55 it is truncated (at most the true value); for q < 0
it is rounded up (at least the true value). NumberParser's error bound relies on exactly these directions:
an exactly representable decimal such as 0.5 then comes out exact, with no fallback.

The binary exponent of entry q is floor(q * log2(10)) + 63 - (leading zeros of the significand), which the
parser computes as (q * 217706) >> 16; this script checks that formula for every q of the table."""
import pathlib

SMALLEST, LARGEST = -342, 308


def entry(q):
    if q >= 0:
        power = 5**q
        bits = power.bit_length()
        value = power << (128 - bits) if bits <= 128 else power >> (bits - 128)
    else:
        power = 5 ** (-q)
        bits = power.bit_length()
        numerator = 1 << (127 + bits)  # 2^(127+bits) / 5^-q lies strictly between 2^127 and 2^128
        value = -(-numerator // power)  # rounded up
        assert value * power >= numerator > (value - 1) * power
    assert 1 << 127 <= value < 1 << 128, q
    return value >> 64, value & ((1 << 64) - 1)


def floor_log2_of_ten_to(q):
    if q >= 0:
        return (10**q).bit_length() - 1
    return -((10 ** (-q)).bit_length())  # 10^-q is no power of two


for q in range(SMALLEST, LARGEST + 1):
    assert (q * 217706) >> 16 == floor_log2_of_ten_to(q), q

lines = [
    "// Written by Scripts/powers-of-five.py; do not edit by hand.",
    "",
    "extension NumberParser {",
    f"  /// The smallest decimal exponent in ``powersOfFive``: {SMALLEST}.",
    f"  static let smallestPowerOfFive = {SMALLEST}",
    f"  /// The largest decimal exponent in ``powersOfFive``: {LARGEST}.",
    f"  static let largestPowerOfFive = {LARGEST}",
    "",
    "  /// The powers of five from 5^-342 to 5^308, each scaled into [2^127, 2^128): high word, then low word.",
    "  ///",
    "  /// Exact for 5^0 to 5^55, truncated above, rounded up below 5^0 (see Scripts/powers-of-five.py).",
    "  static let powersOfFive: [UInt64] = [",
]
for q in range(SMALLEST, LARGEST + 1):
    high, low = entry(q)
    lines.append(f"    0x{high:016X}, 0x{low:016X},  // 5^{q}")
lines += ["  ]", "}", ""]
path = pathlib.Path(__file__).resolve().parents[1] / "Sources" / "StrataAnalysis" / "Data" / "NumberParser+PowersOfFive.swift"
path.write_text("\n".join(lines))
