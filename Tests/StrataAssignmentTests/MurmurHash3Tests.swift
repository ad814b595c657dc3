import StrataAssignment
import StrataTestSupport
import Testing

@Suite("MurmurHash3 x86_32")
struct MurmurHash3Tests {
  // Published reference values of MurmurHash3_x86_32 (SMHasher's verification set and mmh3 docs).
  @Test(arguments: [
    ("", UInt32(0), UInt32(0)),
    ("", UInt32(1), UInt32(0x514E_28B7)),
    ("", UInt32(0xffff_ffff), UInt32(0x81F1_6F39)),
    ("hello", UInt32(0), UInt32(0x248B_FA47)),
    ("Hello, world!", UInt32(1234), UInt32(0xFAF6_CDB3)),
    ("The quick brown fox jumps over the lazy dog", UInt32(0), UInt32(0x2E4F_F723)),
  ])
  func knownValues(input: String, seed: UInt32, expected: UInt32) {
    #expect(MurmurHash3.x86_32(input, seed: seed) == expected)
  }
}

@Suite("MurmurHash3 streaming and buffer entry points")
struct MurmurHash3StreamingTests {
  @Test("feeding a key in any two pieces gives the one-shot hash, for random keys of every length 0–40")
  func piecesMatchOneShot() {
    var generator = SplitMix64(seed: 99)
    for length in 0...40 {
      for _ in 0..<20 {
        let bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        let expected = MurmurHash3.x86_32(bytes)
        let split = length == 0 ? 0 : Int(generator.next() % UInt64(length + 1))
        var state = MurmurHash3.State()
        bytes[..<split].withUnsafeBytes { state.combine($0) }
        bytes[split...].withUnsafeBytes { state.combine($0) }
        #expect(state.finalize() == expected, "length \(length) split \(split)")
        #expect(bytes.withUnsafeBytes { MurmurHash3.x86_32(buffer: $0) } == expected)
      }
    }
  }
}
