/// MurmurHash3 x86_32 (Austin Appleby, public domain algorithm), over bytes, with a seed.
///
/// This is the published bucketing hash of the assignment spec (docs/assignment-spec.md): its output for a
/// given byte string never changes. Integer arithmetic only (wrapping multiplication, rotations), so every
/// platform and language gets the same value. Matches Python's `mmh3.hash(key, seed, signed=False)`.
public enum MurmurHash3 {
  /// The 32-bit hash of `bytes` with `seed`.
  @inlinable
  public static func x86_32<Bytes: Collection<UInt8>>(_ bytes: Bytes, seed: UInt32 = 0) -> UInt32 {
    let c1: UInt32 = 0xcc9e_2d51
    let c2: UInt32 = 0x1b87_3593
    var h1 = seed
    var iterator = bytes.makeIterator()
    var length: UInt32 = 0
    var tail: UInt32 = 0
    var tailCount: UInt32 = 0
    while let byte = iterator.next() {
      length &+= 1
      tail |= UInt32(byte) << (8 * tailCount)
      tailCount += 1
      if tailCount == 4 {
        var k1 = tail
        k1 &*= c1
        k1 = (k1 << 15) | (k1 >> 17)
        k1 &*= c2
        h1 ^= k1
        h1 = (h1 << 13) | (h1 >> 19)
        h1 = h1 &* 5 &+ 0xe654_6b64
        tail = 0
        tailCount = 0
      }
    }
    if tailCount > 0 {
      var k1 = tail
      k1 &*= c1
      k1 = (k1 << 15) | (k1 >> 17)
      k1 &*= c2
      h1 ^= k1
    }
    h1 ^= length
    h1 ^= h1 >> 16
    h1 &*= 0x85eb_ca6b
    h1 ^= h1 >> 13
    h1 &*= 0xc2b2_ae35
    h1 ^= h1 >> 16
    return h1
  }

  /// The hash of a string's UTF-8 bytes (no Unicode normalization).
  @inlinable
  public static func x86_32(_ string: String, seed: UInt32 = 0) -> UInt32 {
    x86_32(string.utf8, seed: seed)
  }
}
