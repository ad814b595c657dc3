// ShortestDigits against `Double.description`, byte for byte, over many doubles: the special families of
// ShortestDigitsTests, random bit patterns, random short decimals (1 to 17 digits, read back as doubles) and their
// neighbours. Built with the two ShortestDigits sources as one module by Benchmarks/shortest_digits_check.sh:
//
//   bash Benchmarks/shortest_digits_check.sh [RANDOM_COUNT] [SEED]     # defaults 100000000 and 17
//
// Prints each mismatch (at most 20) and a summary; exits 1 on any mismatch.
import Foundation

struct Generator {
  var state: UInt64
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

let arguments = CommandLine.arguments
let randomCount = arguments.count > 1 ? Int(arguments[1]) ?? 100_000_000 : 100_000_000
let seed = arguments.count > 2 ? UInt64(arguments[2]) ?? 17 : 17
var generator = Generator(state: seed)
let scratch = UnsafeMutablePointer<UInt8>.allocate(capacity: ShortestDigits.scratchCount)
var checked = 0
var fallbacks = 0
var mismatches = 0

func check(_ x: Double) {
  guard let count = ShortestDigits.write(x, to: scratch) else {
    fallbacks += 1
    return
  }
  checked += 1
  var expected = x.description
  let same = expected.withUTF8 { bytes in
    bytes.elementsEqual(UnsafeBufferPointer(start: scratch, count: count))
  }
  if !same {
    mismatches += 1
    if mismatches <= 20 {
      let got = String(decoding: UnsafeBufferPointer(start: scratch, count: count), as: UTF8.self)
      print("MISMATCH bits 0x\(String(x.bitPattern, radix: 16)): description \(expected), ShortestDigits \(got)")
    }
  }
}

func checkAround(_ x: Double) {
  for y in [x, x.nextUp, x.nextDown, -x] { check(y) }
}

// The special families.
var family = 0
for exponent in -1074...1023 { checkAround(Double(sign: .plus, exponent: exponent, significand: 1)) }
for exponent in -330...310 {
  if let x = Double("1e\(exponent)") { checkAround(x) }
  if let x = Double("9.999999999999999e\(exponent)") { checkAround(x) }
  for digits in ["5", "25", "123456789012345", "1234567890123456", "12345678901234567", "99999999999999999"] {
    if let x = Double("\(digits)e\(exponent)") { checkAround(x) }
  }
}
for x in [0x1p53, 0x1p53 + 2, 0x1p54, 1e15, 1e16, 1e-4, 1e-5, 0.000_099_999_999_999_999_99, 1e23, 0x1p53 - 1] {
  checkAround(x)
}
for offset in -10_000...10_000 { checkAround(0x1p53 + Double(offset)) }
for odd in stride(from: 1, through: 4001, by: 2) {
  // Values halfway between two 17-digit decimals: the tie goes to the even one.
  for shift in 1...80 { checkAround(Double(odd) * Double(sign: .plus, exponent: -shift, significand: 1) + 1) }
}
for bits in UInt64(1)...UInt64(100_000) {
  checkAround(Double(bitPattern: bits))  // subnormals (ShortestDigits leaves them to description)
  checkAround(Double(bitPattern: 0x0010_0000_0000_0000 &+ bits))  // the smallest normals
  checkAround(Double(bitPattern: 0x7FEF_FFFF_FFFF_FFFF &- bits))  // the largest
}
family = checked + fallbacks
print("special families: \(family) doubles (\(fallbacks) left to description)")

// Random short decimals, read back as doubles, and their neighbours.
for _ in 0..<max(randomCount / 20, 1) {
  let digitCount = Int(generator.next() % 17) + 1
  var digits = UInt64(1 + generator.next() % 9)
  for _ in 1..<digitCount { digits = digits * 10 + generator.next() % 10 }
  let exponent = Int(generator.next() % 640) - 330
  if let x = Double("\(digits)e\(exponent)"), x.isFinite { checkAround(x) }
}
print("after short decimals: \(checked + fallbacks) doubles")

// Random bit patterns.
for _ in 0..<randomCount { check(Double(bitPattern: generator.next())) }
print(
  "checked \(checked) doubles byte for byte (\(randomCount) random bit patterns, seed \(seed)), "
    + "\(fallbacks) left to description, \(mismatches) mismatches")
exit(mismatches == 0 ? 0 : 1)
