#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The unit ids seen so far, for duplicate detection, storing only a 64-bit hash of each id.
///
/// It holds them in one of two forms:
/// - a **log** (`UnitHashSet+Log.swift`): chunked reads of regular files append each chunk's hashes grouped
///   into radix partitions by their top bits, 8 bytes per row (7 with 256 partitions or more, `KeyLayout`), and
///   look for repeats once a file has been read, partition by partition in a table that fits the CPU caches, on
///   every thread;
/// - an **online table** (this file): readers that must decide row by row (the rest of a file read in one piece
///   after a chunk stopped; a pipe whose temporary copy could not be made, `InputSpool`) insert each hash in file
///   order.
/// Either form is turned into the other when a reader of the other kind comes next (`foldLog`,
/// `foldTableIntoLog`), so parts of one data set read either way share one check.
///
/// Online table memory: one 8-byte slot per unit at 100% load; the table doubles when it is ¾ full, so it holds
/// between 10.7 and 21.3 bytes per unit, independent of how long the ids are. The price, in both forms, is a
/// false "duplicate" when two different ids share a hash: with n distinct units the chance that any pair
/// collides is about n² / 2⁶⁵ (birthday bound), 2.7 × 10⁻⁶ for n = 10 M and 2.7 × 10⁻⁴ for n = 100 M. A
/// collision can only ever add one spurious duplicate, never hide one. (Hashes 0 and 1 count as one key in
/// both forms: 0 marks an empty slot.)
///
/// Speed of the online table: once it outgrows the CPU caches every insert is a cache and TLB miss. It is
/// mapped with transparent huge pages requested (`MADV_HUGEPAGE`, fewer TLB misses), and `insert(batch:)`
/// first prefetches every home slot of a batch (independent requests the CPU overlaps) before inserting in
/// order, which keeps first-occurrence-wins semantics while hiding most of the memory latency. Growing frees the
/// old table behind the rehash, so a pipe's table never holds both sizes whole. Unlike a regular file's log, the
/// table cannot defer the check to cache-sized partitions: a row must be known new before its cells take it, and a
/// pipe cannot be read again, so a pipe read row by row pays about one cache miss per row here (docs/performance.md,
/// "Through a pipe"); that is why a pipe is copied to a temporary file and read as a file when it can be.
///
/// The hash (`hash(_:)`) folds 128-bit products of an id's first and last 8 bytes for ids of up to 16 bytes, and
/// mixes 8-byte words with multiply–rotate steps (MurmurHash64A-style) and the SplitMix64 finalizer for longer
/// ones; it is fast and well distributed but not cryptographic (ids are not adversarial).
final class UnitHashSet {
  private var slots: UnsafeMutablePointer<UInt64>
  private var capacity: Int
  private var mask: Int
  /// Units in the online table.
  private(set) var tableCount = 0

  init(capacity: Int = 1 << 16) {
    var size = 1
    while size < capacity { size <<= 1 }
    self.capacity = size
    mask = size - 1
    slots = Self.allocate(size)
  }

  /// The log's chunks in file order, each chunk's hashes grouped by partition (see `UnitHashSet+Log.swift`).
  var log: [PartitionedHashes] = []
  /// Where the log's keys live (freed when the log is folded into the table).
  let arena = LogArena()
  /// Hashes in the log (a repeated unit counts once per row).
  var logCount = 0
  /// Radix bits of the log's partitions: fixed when the log is first used, the same for every chunk.
  var partitionBits = 0
  /// The most bytes the two forms held at once (the log's peak, or the table's).
  private(set) var peakBytes = 0

  deinit { Self.free(slots, capacity) }

  /// Units held (a unit repeated in the log counts once per row there).
  var count: Int { tableCount + logCount }

  /// The most bytes held by the table and the log together.
  var memoryBytes: Int { max(peakBytes, currentBytes) }

  /// Bytes of the log's chunks.
  var logBytes = 0

  var currentBytes: Int { (tableCount > 0 ? capacity * 8 : 0) + logBytes }

  func notePeak() { peakBytes = max(peakBytes, currentBytes) }

  /// Zeroed memory for `count` slots: anonymous mmap (zero pages are free until touched) with huge pages
  /// requested for large tables.
  private static func allocate(_ count: Int) -> UnsafeMutablePointer<UInt64> {
    let bytes = count * 8
    guard let raw = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), raw != MAP_FAILED
    else {
      preconditionFailure("UnitHashSet: cannot map \(bytes) bytes for the duplicate check")
    }
    #if canImport(Glibc)
      if bytes >= 1 << 21 { _ = madvise(raw, bytes, MADV_HUGEPAGE) }
    #endif
    return raw.bindMemory(to: UInt64.self, capacity: count)
  }

  private static func free(_ slots: UnsafeMutablePointer<UInt64>, _ count: Int) {
    _ = munmap(UnsafeMutableRawPointer(slots), count * 8)
  }

  /// Inserts the hash of `id`; returns false when it was already present (a duplicate).
  @inline(__always)
  func insert(_ id: UnsafeBufferPointer<UInt8>) -> Bool {
    if !log.isEmpty { foldLog() }
    return insert(hash: Self.hash(id))
  }

  /// The key stored for a hash: 0 marks an empty slot, so hash 0 is stored as 1.
  @inline(__always)
  static func key(_ hash: UInt64) -> UInt64 { hash == 0 ? 1 : hash }

  @inline(__always)
  private func insert(hash: UInt64) -> Bool {
    if (tableCount + 1) * 4 > capacity * 3 { grow() }
    let key = Self.key(hash)
    var index = Int(truncatingIfNeeded: key) & mask
    while true {
      let slot = slots[index]
      if slot == 0 {
        slots[index] = key
        tableCount += 1
        return true
      }
      if slot == key { return false }
      index = (index + 1) & mask
    }
  }

  /// Inserts hashes in order; `inserted[i]` is false when `hashes[i]` was already present (including
  /// earlier in the same batch).
  func insert(batch hashes: UnsafeBufferPointer<UInt64>, inserted: UnsafeMutableBufferPointer<Bool>) {
    if !log.isEmpty { foldLog() }
    while (tableCount + hashes.count) * 4 > capacity * 3 { grow() }
    // Every home slot asked for first (prefetches, which unlike loads do not hold the loop up), then the inserts.
    let table = UnsafeMutableBufferPointer(start: slots, count: capacity)
    for hash in hashes { Prefetch.range(table, from: Int(truncatingIfNeeded: Self.key(hash)) & mask, count: 1) }
    for (position, hash) in hashes.enumerated() { inserted[position] = insert(hash: hash) }
  }

  /// Makes room for `expected` units without further resizing (a resize rehashes every unit, each a cache miss).
  ///
  /// Over-reserving costs address space, not memory: untouched zero pages are never backed.
  func reserve(_ expected: Int) {
    if !log.isEmpty { foldLog() }
    var target = capacity
    while expected * 4 > target * 3 && target < 1 << 34 { target *= 2 }
    if target > capacity { grow(to: target) }  // one rehash straight to the final size
  }

  private func grow(to newCapacity: Int? = nil) {
    let old = slots
    let oldCapacity = capacity
    capacity = newCapacity ?? capacity * 2
    mask = capacity - 1
    slots = Self.allocate(capacity)
    // The old table is handed back to the system 2 MiB at a time behind the sweep, so the two tables are not both
    // whole at once (10 M units through a pipe: peak RSS 162 MiB, was 222 MiB).
    let step = 1 << 18
    var released = 0
    for position in 0..<oldCapacity {
      if position - released >= step {
        _ = madvise(UnsafeMutableRawPointer(old + released), step * 8, MADV_DONTNEED)
        released += step
      }
      let key = old[position]
      if key == 0 { continue }
      var index = Int(truncatingIfNeeded: key) & mask
      while slots[index] != 0 { index = (index + 1) & mask }
      slots[index] = key
    }
    Self.free(old, oldCapacity)
    notePeak()
  }

  /// Moves the log's hashes into the online table (a row-by-row reader comes next), sized for them at once.
  func foldLog() {
    let chunks = log
    log = []
    logBytes = 0
    var target = capacity
    while (tableCount + logCount) * 4 > target * 3 && target < 1 << 34 { target *= 2 }
    if target > capacity { grow(to: target) }
    logCount = 0
    for chunk in chunks {
      for partition in 0..<(chunk.starts.count - 1) {
        for position in chunk.starts[partition]..<chunk.starts[partition + 1] {
          _ = insert(hash: chunk.key(position, in: partition))
        }
      }
    }
    arena.reset()
    notePeak()
  }

  /// Moves the online table's keys into the log as its next chunk (a chunked reader comes next and they came
  /// first), and frees the table.
  func foldTableIntoLog() {
    guard tableCount > 0 else { return }
    var keys: [UInt64] = []
    keys.reserveCapacity(tableCount)
    for position in 0..<capacity where slots[position] != 0 { keys.append(slots[position]) }
    Self.free(slots, capacity)
    capacity = 1 << 16
    mask = capacity - 1
    slots = Self.allocate(capacity)
    tableCount = 0
    appendToLog(PartitionedHashes(keys, bits: partitionBits, arena: arena))
  }

  /// A 64-bit hash of the bytes.
  ///
  /// Ids of 1–16 bytes, the usual ones, are read as two words: their first and last 8 bytes (overlapping when
  /// shorter than 16), or first and last 4, or the first, middle and last byte. The words, each xor-ed with a
  /// constant, are multiplied into 128 bits whose two halves are xor-ed together, and that with the length once more
  /// (`fold`): two multiplications in all. Longer ids (and the empty one) go through `longHash`. The constants' bytes
  /// include 0xFF and 0xFE, which UTF-8 never holds, so no text id makes a word 0 (which would make the product 0
  /// whatever the other word holds).
  ///
  /// Over the benchmark files' ids ("u0" to "u29999999") the low 32 bits of this hash coincide as often as those of
  /// random numbers do (104,419 pairs among 30 M ids against the 104,774 expected, the previous hash 104,266), and the
  /// top 12 bits that choose a partition are as even (chi-square 4,171 on 4,095 degrees of freedom).
  @inline(__always)
  static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
    let count = bytes.count
    guard count > 0 && count <= 16, let base = UnsafeRawPointer(bytes.baseAddress) else { return longHash(bytes) }
    let first: UInt64
    let last: UInt64
    if count >= 8 {
      first = UInt64(littleEndian: base.loadUnaligned(as: UInt64.self))
      last = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self))
    } else if count >= 4 {
      first = UInt64(UInt32(littleEndian: base.loadUnaligned(as: UInt32.self)))
      last = UInt64(UInt32(littleEndian: base.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self)))
    } else {
      let head = UInt64(base.load(as: UInt8.self))
      let middle = UInt64(base.load(fromByteOffset: count / 2, as: UInt8.self))
      first = head << 16 | middle << 8 | UInt64(base.load(fromByteOffset: count - 1, as: UInt8.self))
      last = 0
    }
    let mixed = fold(first ^ 0xFF51_AFD7_ED55_8CCD, last ^ 0xC4CE_B9FE_1A85_EC53)
    return fold(mixed ^ 0x9E37_79B9_7F4A_7C15, UInt64(count) ^ 0xD6E8_FEB8_6659_FD93)
  }

  /// The 128-bit product of two words, its high and low halves xor-ed.
  @inline(__always)
  static func fold(_ x: UInt64, _ y: UInt64) -> UInt64 {
    let (high, low) = x.multipliedFullWidth(by: y)
    return high ^ low
  }

  /// The hash of ids of more than 16 bytes, and of the empty one: 8-byte words mixed with multiply–rotate steps
  /// (MurmurHash64A-style), then the SplitMix64 finalizer.
  @inline(never)
  static func longHash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
    let multiplier: UInt64 = 0xC6A4_A793_5BD1_E995
    var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ (UInt64(bytes.count) &* multiplier)
    var index = 0
    let count = bytes.count
    let base = UnsafeRawPointer(bytes.baseAddress)
    while index + 8 <= count, let base {
      var word = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: index, as: UInt64.self))
      word &*= multiplier
      word ^= word >> 47
      word &*= multiplier
      h ^= word
      h &*= multiplier
      index += 8
    }
    // The last 1–7 bytes as one little-endian word, zero above them: two loads that may overlap (4–7 bytes) or three
    // byte loads (1–3). The same word, so the same hash, as byte by byte (`referenceHash` in the tests).
    let rest = count - index
    if rest > 0, let base {
      let word: UInt64
      if rest >= 4 {
        let low = UInt64(UInt32(littleEndian: base.loadUnaligned(fromByteOffset: index, as: UInt32.self)))
        let high = UInt64(UInt32(littleEndian: base.loadUnaligned(fromByteOffset: index + rest - 4, as: UInt32.self)))
        word = low | high << (8 * UInt64(rest - 4))
      } else {
        let first = UInt64(base.load(fromByteOffset: index, as: UInt8.self))
        let middle = UInt64(base.load(fromByteOffset: index + rest / 2, as: UInt8.self))
        let last = UInt64(base.load(fromByteOffset: index + rest - 1, as: UInt8.self))
        word = first | middle << (8 * UInt64(rest / 2)) | last << (8 * UInt64(rest - 1))
      }
      h ^= word
      h &*= multiplier
    }
    // SplitMix64 finalizer.
    h = (h ^ (h >> 30)) &* 0xBF58_476D_1CE4_E5B9
    h = (h ^ (h >> 27)) &* 0x94D0_49BB_1331_11EB
    return h ^ (h >> 31)
  }
}
