extension MurmurHash3 {
  /// MurmurHash3 x86_32 fed in pieces: the same value as hashing the concatenation at once.
  ///
  /// Assignment hashes `salt + ":" + unit`; the experiment hashes its prefix once, keeps the state, and
  /// each unit only continues from it, so no key is ever built in memory.
  public struct State: Sendable, Hashable {
    @usableFromInline var h1: UInt32
    @usableFromInline var tail: UInt32 = 0
    @usableFromInline var tailCount: Int = 0
    @usableFromInline var length: Int = 0

    public init(seed: UInt32 = 0) { h1 = seed }

    @inline(__always) @usableFromInline
    static func scramble(_ k: UInt32) -> UInt32 {
      var k1 = k &* 0xcc9e_2d51
      k1 = (k1 << 15) | (k1 >> 17)
      return k1 &* 0x1b87_3593
    }

    @inline(__always) @usableFromInline
    mutating func mix(_ k: UInt32) {
      h1 ^= State.scramble(k)
      h1 = (h1 << 13) | (h1 >> 19)
      h1 = h1 &* 5 &+ 0xe654_6b64
    }

    /// Continues the hash with `bytes`.
    @inlinable @inline(__always)
    public mutating func combine(_ bytes: UnsafeRawBufferPointer) {
      let count = bytes.count
      length &+= count
      var offset = 0
      // Complete a partial block left by the previous piece: with 4 bytes at hand, one load does it
      // (the low 4 − tailCount bytes of the little-endian word, shifted above the bytes already held).
      if tailCount > 0 && count >= 4 {
        let word = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 0, as: UInt32.self))
        mix(tail | (word << (8 * UInt32(tailCount))))
        offset = 4 &- tailCount
        tail = 0
        tailCount = 0
      }
      while tailCount > 0 && tailCount < 4 && offset < count {
        tail |= UInt32(bytes[offset]) << (8 * UInt32(tailCount))
        tailCount &+= 1
        offset &+= 1
      }
      if tailCount == 4 {
        mix(tail)
        tail = 0
        tailCount = 0
      }
      while offset &+ 4 <= count {
        mix(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
        offset &+= 4
      }
      while offset < count {
        tail |= UInt32(bytes[offset]) << (8 * UInt32(tailCount))
        tailCount &+= 1
        offset &+= 1
      }
    }

    /// The hash of everything combined so far.
    @inlinable
    public func finalize() -> UInt32 {
      var h = h1
      if tailCount > 0 { h ^= State.scramble(tail) }
      h ^= UInt32(truncatingIfNeeded: length)
      h ^= h >> 16
      h &*= 0x85eb_ca6b
      h ^= h >> 13
      h &*= 0xc2b2_ae35
      h ^= h >> 16
      return h
    }
  }
}
