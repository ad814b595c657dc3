import StrataAssignment
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
