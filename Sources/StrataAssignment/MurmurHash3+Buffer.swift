extension MurmurHash3 {
  /// The 32-bit hash of the bytes in `buffer` with `seed`: the same function as ``x86_32(_:seed:)``,
  /// reading four bytes at a time (little-endian, as the reference implementation does on x86).
  ///
  /// Assignment itself hashes through the streaming ``State``; this plain loop stays as the assignment
  /// benchmark's bare floor, which folding it onto `State` would slow and so flatter the ratios by 7–12%
  /// (docs/assignment.md, "The floor's hash stays the plain one").
  @inlinable
  public static func x86_32(buffer: UnsafeRawBufferPointer, seed: UInt32 = 0) -> UInt32 {
    let c1: UInt32 = 0xcc9e_2d51
    let c2: UInt32 = 0x1b87_3593
    var h1 = seed
    let count = buffer.count
    let blockEnd = count & ~3
    var offset = 0
    while offset < blockEnd {
      var k1 = UInt32(littleEndian: buffer.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
      k1 &*= c1
      k1 = (k1 << 15) | (k1 >> 17)
      k1 &*= c2
      h1 ^= k1
      h1 = (h1 << 13) | (h1 >> 19)
      h1 = h1 &* 5 &+ 0xe654_6b64
      offset &+= 4
    }
    let tailCount = count & 3
    if tailCount > 0 {
      var k1: UInt32 = 0
      if tailCount == 3 { k1 ^= UInt32(buffer[blockEnd &+ 2]) << 16 }
      if tailCount >= 2 { k1 ^= UInt32(buffer[blockEnd &+ 1]) << 8 }
      k1 ^= UInt32(buffer[blockEnd])
      k1 &*= c1
      k1 = (k1 << 15) | (k1 >> 17)
      k1 &*= c2
      h1 ^= k1
    }
    h1 ^= UInt32(truncatingIfNeeded: count)
    h1 ^= h1 >> 16
    h1 &*= 0x85eb_ca6b
    h1 ^= h1 >> 13
    h1 &*= 0xc2b2_ae35
    h1 ^= h1 >> 16
    return h1
  }
}
