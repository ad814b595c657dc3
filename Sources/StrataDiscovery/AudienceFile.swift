import StrataAnalysis

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A regular file as it was when read: device, inode, size and modification time.
///
/// The second reading of an audience (the segment means) checks that these have not changed.
struct FileIdentity: Sendable, Hashable {
  let device: UInt64
  let inode: UInt64
  let size: Int
  let modifiedSeconds: Int
  let modifiedNanoseconds: Int

  /// The identity of `path` when it is a regular file, else nil (a pipe cannot be read twice); nil for `-`, which is
  /// standard input (``StandardInput``), never a file of that name.
  static func of(_ path: String) -> FileIdentity? {
    guard !StandardInput.isStandardInput(path) else { return nil }
    var info = stat()
    guard stat(path, &info) == 0, info.st_mode & 0o170000 == 0o100000 else { return nil }  // S_IFREG
    #if canImport(Darwin)
      let modified = info.st_mtimespec
    #else
      let modified = info.st_mtim
    #endif
    return FileIdentity(
      device: UInt64(info.st_dev), inode: UInt64(info.st_ino), size: Int(info.st_size),
      modifiedSeconds: Int(modified.tv_sec), modifiedNanoseconds: Int(modified.tv_nsec))
  }

  /// Line ends (LF bytes) in the file: at least the number of records it holds, less one.
  ///
  /// Read with plain `read` calls into a small buffer; nil when the file cannot be read.
  static func lineEnds(_ path: String) -> Int? {
    let descriptor = open(path, O_RDONLY)
    guard descriptor >= 0 else { return nil }
    defer { _ = close(descriptor) }
    let size = 1 << 20
    let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: size)
    defer { buffer.deallocate() }
    var total = 0
    while true {
      let count = read(descriptor, buffer, size)
      if count < 0 { return nil }
      if count == 0 { return total }
      var lines = 0
      for index in 0..<count where buffer[index] == 0x0A { lines &+= 1 }
      total += lines
    }
  }
}

/// The unit ids of a file whose records were counted beforehand, to catch a repeated one in 4 bytes per id.
///
/// No id is copied: an open-addressing table (linear probing, sized for at most 3/4 full) of 32 bits of each id's
/// 64-bit hash, placed by the other 32. A match means only "perhaps seen": the reader then looks for the id in the
/// file's earlier records (``AudienceReader``), which also names the line of its first row. Distinct ids match about
/// once in a thousand million-row files, at the cost of that one extra reading.
struct UnitFingerprints {
  private var slots: [UInt32]
  private(set) var count = 0
  private let limit: Int

  enum Outcome { case added, perhapsSeen, full }

  /// A table for up to `capacity` ids.
  init(capacity: Int) {
    let size = max(16, capacity + capacity / 3 + 1)
    slots = [UInt32](repeating: 0, count: size)
    limit = size - size / 8  // more than the capacity: reached only when the file grew while it was read
  }

  mutating func insert<Bytes: Collection<UInt8>>(_ id: Bytes) -> Outcome {
    guard count < limit else { return .full }
    let hash = UnitFingerprints.hash(id)
    let fingerprint = max(UInt32(truncatingIfNeeded: hash >> 32), 1)  // 0 marks an empty slot
    let size = slots.count
    var slot = Int((UInt64(UInt32(truncatingIfNeeded: hash)) &* UInt64(size)) >> 32)
    let outcome = slots.withUnsafeMutableBufferPointer { slots -> Outcome in
      while slots[slot] != 0 {
        if slots[slot] == fingerprint { return .perhapsSeen }
        slot += 1
        if slot == size { slot = 0 }
      }
      slots[slot] = fingerprint
      return .added
    }
    if outcome == .added { count += 1 }
    return outcome
  }

  /// FNV-1a (64-bit), then MurmurHash3's 64-bit finaliser so that every bit depends on every byte.
  static func hash<Bytes: Collection<UInt8>>(_ id: Bytes) -> UInt64 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in id {
      h ^= UInt64(byte)
      h &*= 0x0000_0100_0000_01b3
    }
    h ^= h >> 33
    h &*= 0xff51_afd7_ed55_8ccd
    h ^= h >> 33
    h &*= 0xc4ce_b9fe_1a85_ec53
    h ^= h >> 33
    return h
  }
}
