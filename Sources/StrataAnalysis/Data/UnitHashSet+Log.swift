import Dispatch
import Foundation

/// One chunk's unit keys (`UnitHashSet.key`) grouped into radix partitions by their top bits, each partition's keys
/// in file order.
///
/// Built by the thread that read the chunk (a counting sort: the counts taken as the hashes were collected, then one
/// pass to place them), so the thread that merges chunks only appends it to the log. The keys live in the log's
/// `LogArena`, which outlives them.
///
/// With 256 partitions or more (`KeyLayout`), a key's top byte is its partition's and is not stored: each key takes
/// 7 bytes, written as an 8-byte word whose top byte the next key of its partition overwrites (a byte after each
/// partition takes the last one's). Every key is still known in full, so the check and its bound are those of 8-byte
/// keys, with an eighth fewer pages of fresh memory to fault in, fill, read and free.
struct PartitionedHashes: @unchecked Sendable {
  /// The keys' bytes, partition 0's first (`layout.offset`).
  let base: UnsafeRawPointer
  /// Keys held.
  let count: Int
  /// Partition `p`'s keys are positions `starts[p]..<starts[p + 1]`.
  let starts: [Int]
  /// How the keys are laid out.
  let layout: KeyLayout

  /// Groups the hashes collected in `scratch` (in file order) into its partitions, placed in memory from `arena`.
  init(_ scratch: HashScratch, arena: LogArena) {
    let partitions = scratch.partitions
    let shift = scratch.shift
    let hashes = scratch.hashes
    let layout = KeyLayout(bits: partitions > 0 ? partitions.trailingZeroBitCount : 0)
    var starts = [Int](repeating: 0, count: partitions + 1)
    if let counts = scratch.counts {
      starts.withUnsafeMutableBufferPointer { starts in
        for partition in 0..<partitions { starts[partition + 1] = starts[partition] + counts[partition] }
      }
    }
    let buffer = arena.allocate(bytes: layout.bytes(keys: hashes.count, partitions: partitions))
    // Each partition's next place as a pointer, moved on after each key: with an array of indices the loop reloaded
    // the index after the store and checked its increment for overflow (15 instructions per key).
    let cursors = UnsafeMutablePointer<UnsafeMutableRawPointer>.allocate(capacity: max(1, partitions))
    defer { cursors.deallocate() }
    for partition in 0..<partitions {
      cursors[partition] = buffer + layout.offset(position: starts[partition], partition: partition)
    }
    let width = layout.width
    for hash in hashes {
      let partition = HashScratch.partition(of: hash, shift: shift)
      let cursor = cursors[partition]
      // All 8 bytes (an unaligned store); with 7-byte keys the top one is overwritten by the next key's or is the
      // partition's spare byte.
      cursor.storeBytes(of: UnitHashSet.key(hash).littleEndian, as: UInt64.self)
      cursors[partition] = cursor + width
    }
    base = UnsafeRawPointer(buffer)
    count = hashes.count
    self.starts = starts
    self.layout = layout
  }

  /// Groups `hashes` (in file order) into `1 << bits` partitions by the top `bits` bits of their keys.
  init(_ hashes: [UInt64], bits: Int, arena: LogArena) {
    var scratch = HashScratch(capacity: hashes.count, bits: bits)
    defer { scratch.free() }
    for hash in hashes { scratch.append(hash) }
    self.init(scratch, arena: arena)
  }

  /// The key at `position`, which is in partition `partition`.
  @inline(__always)
  func key(_ position: Int, in partition: Int) -> UInt64 {
    layout.key(at: base + layout.offset(position: position, partition: partition), partition: partition)
  }

  /// Partition `partition`'s keys, in file order.
  func keys(in partition: Int) -> [UInt64] {
    (starts[partition]..<starts[partition + 1]).map { key($0, in: partition) }
  }

  /// Every key, partition 0's first.
  var allKeys: [UInt64] { (0..<(starts.count - 1)).flatMap { keys(in: $0) } }

  /// Bytes held.
  var bytes: Int { layout.bytes(keys: count, partitions: starts.count - 1) + starts.count * 8 }
}

/// Where the log's keys lie in a chunk's memory (`PartitionedHashes`): with `bits` radix bits of partition, 8 bytes
/// per key, or 7 when the partition gives the key's top byte (at least 8 bits) and one spare byte after each
/// partition's keys.
struct KeyLayout: Equatable {
  /// Bytes between a partition's consecutive keys: 7 or 8.
  let width: Int
  /// Spare bytes after each partition's keys: 1 with 7-byte keys (the last key's 8-byte store ends there), else 0.
  let spare: Int
  /// The partition's top bits that a stored key lacks, as a shift of the partition number (0 with no partitions).
  private let shift: UInt64
  /// The stored bits of a key loaded as an 8-byte word.
  private let mask: UInt64
  private let bits: Int

  /// The layout for `1 << bits` partitions.
  init(bits: Int) {
    self.bits = bits
    width = bits >= 8 ? 7 : 8
    spare = 8 - width
    shift = UInt64(64 - max(bits, 1))
    mask = bits >= 8 ? (1 << 56) - 1 : ~0
  }

  /// Bytes for `keys` keys in `partitions` partitions.
  func bytes(keys: Int, partitions: Int) -> Int { keys * width + partitions * spare }

  /// Where the key at `position` (counted over the chunk's partitions in order) lies, being in `partition`.
  @inline(__always)
  func offset(position: Int, partition: Int) -> Int { position &* width &+ partition &* spare }

  /// The top bits of partition `partition`'s keys (0 with no partitions).
  @inline(__always)
  func top(_ partition: Int) -> UInt64 { bits == 0 ? 0 : UInt64(truncatingIfNeeded: partition) &<< shift }

  /// The key of partition `partition` stored at `place`.
  @inline(__always)
  func key(at place: UnsafeRawPointer, partition: Int) -> UInt64 {
    key(at: place, top: top(partition))
  }

  /// The key stored at `place` whose partition's top bits are `top`.
  @inline(__always)
  func key(at place: UnsafeRawPointer, top: UInt64) -> UInt64 {
    UInt64(littleEndian: place.loadUnaligned(as: UInt64.self)) & mask | top
  }
}

/// One chunk's row hashes in file order (a first pass's `.collect`), and how many fall in each partition, before
/// they are grouped for the log.
///
/// The chunked reader hands the same few buffers from chunk to chunk, each sized up front for the most rows a chunk
/// can hold, so their pages are faulted in once per read, not on every chunk as an array grown by doubling was
/// (copies and fresh pages each time: a third of the check's CPU at 10 M rows, most of it the kernel zeroing pages).
/// Counting partitions as the hashes arrive saves the grouping a pass over them.
///
/// A value of plain pointers, held by the row reader itself (`UnitLevelRows.hashes`): each row's `append` is a store,
/// an add and a count, with no reference to retain and release and no optional to test. It was a class in an optional
/// stored property, and `hashes?.append` cost every row about 40 instructions of `swift_retain` and `swift_release`
/// (callgrind, docs/performance.md). Its memory is freed by `free()`, by whoever holds the last copy (the chunked
/// reader's spare buffers); a copy that grew (`append` past its room) replaces the one it was copied from.
struct HashScratch: @unchecked Sendable {
  private var base: UnsafeMutablePointer<UInt64>?
  private var capacity = 0
  private(set) var count = 0
  /// Hashes per partition.
  private(set) var counts: UnsafeMutablePointer<Int>?
  private(set) var partitions = 0
  /// `partition(of:shift:)`'s shift for `1 << bits` partitions.
  private(set) var shift: UInt64 = 63

  /// No room: what a reader that does not collect holds (an `append` to it is a programmer error).
  init() {}

  /// Room for `capacity` hashes (more grow the buffer; untouched room costs address space only), counted in
  /// `1 << bits` partitions.
  init(capacity: Int, bits: Int) {
    self.capacity = max(capacity, 64)
    base = .allocate(capacity: self.capacity)
    partitions = 1 << bits
    shift = UInt64(63 - bits)
    let counts = UnsafeMutablePointer<Int>.allocate(capacity: partitions)
    counts.initialize(repeating: 0, count: partitions)
    self.counts = counts
  }

  /// Frees the memory of this buffer and of every copy of it.
  func free() {
    base?.deallocate()
    counts?.deallocate()
  }

  /// The partition of a hash: its top bits (the same as its key's, `UnitHashSet.key` changing only 0 to 1); with
  /// no bits, 0.
  @inline(__always)
  static func partition(of hash: UInt64, shift: UInt64) -> Int { Int(truncatingIfNeeded: (hash &>> 1) &>> shift) }

  /// Appends a row's hash and counts its partition.
  @inline(__always)
  mutating func append(_ hash: UInt64) {
    if count == capacity { grow() }
    // Not nil past the capacity check (a buffer of no room stops in `grow`): unchecked unwraps, no test per row.
    base.unsafelyUnwrapped[count] = hash
    count &+= 1
    counts.unsafelyUnwrapped[Self.partition(of: hash, shift: shift)] &+= 1
  }

  @inline(never)
  private mutating func grow() {
    guard let old = base else { preconditionFailure("a row hash collected without a buffer (HashScratch())") }
    let larger = UnsafeMutablePointer<UInt64>.allocate(capacity: capacity * 2)
    larger.initialize(from: old, count: count)
    old.deallocate()
    base = larger
    capacity *= 2
  }

  /// The hashes appended since the last `removeAll`.
  var hashes: UnsafeBufferPointer<UInt64> { UnsafeBufferPointer(start: base, count: count) }

  /// Empties the buffer, keeping its memory.
  mutating func removeAll() {
    count = 0
    counts?.update(repeating: 0, count: partitions)
  }
}

/// Memory for the log's keys: large anonymous mappings handed out one piece per chunk (from any thread) and freed
/// all at once.
///
/// Each chunk's keys used to be an array of their own, allocated and faulted in page by page as it was filled. Here
/// a mapping is sized up front from the file (`reserve`, an upper bound: untouched pages cost address space, not
/// memory) and each piece's pages are faulted in by one call (`MADV_POPULATE_WRITE`) before it is filled. Huge pages
/// are not requested: on the 2-core virtual machine the kernel finds them among the free memory it has handed back to
/// the host, which backs them afresh, so they cost more than the small pages' faults they save (tried twice, last on
/// 2026-12-05: 0.19 s of system time against 0.06 s at 10 M rows, docs/performance.md). A piece is never freed on
/// its own: keys of a chunk whose result is dropped (a read that stopped) stay until `reset`.
final class LogArena: @unchecked Sendable {
  private let lock = NSLock()
  private var regions: [(base: UnsafeMutableRawPointer, bytes: Int)] = []
  /// Bytes handed out from the last region.
  private var used = 0
  /// Size of the next region to map.
  private var regionBytes = LogArena.smallest

  static let smallest = 1 << 21
  static let largest = 1 << 32

  deinit { reset() }

  /// Sizes the next mapping for at most `bytes` more bytes of keys.
  func reserve(bytes: Int) {
    lock.lock()
    defer { lock.unlock() }
    regionBytes = min(Self.largest, max(bytes, Self.smallest))
  }

  /// Room for `wanted` bytes of keys (uninitialized, its pages faulted in).
  func allocate(bytes wanted: Int) -> UnsafeMutableRawPointer {
    let bytes = (max(wanted, 1) + 63) & ~63  // pieces start on cache lines
    lock.lock()
    if regions.isEmpty || used + bytes > regions[regions.count - 1].bytes {
      let size = max(bytes, regionBytes)
      regions.append((Self.map(size), size))
      used = 0
    }
    let piece = regions[regions.count - 1].base + used
    used += bytes
    lock.unlock()
    #if canImport(Glibc)
      // MADV_POPULATE_WRITE (Linux 5.14): one call instead of a fault per page; older kernels refuse it, harmlessly.
      let page = 4096
      let start = UInt(bitPattern: piece) & ~UInt(page - 1)
      let end = UInt(bitPattern: piece + bytes)
      _ = madvise(UnsafeMutableRawPointer(bitPattern: start), Int(end - start), 23)
    #endif
    return piece
  }

  /// Frees every piece.
  func reset() {
    lock.lock()
    defer { lock.unlock() }
    for region in regions { _ = munmap(region.base, region.bytes) }
    regions = []
    used = 0
  }

  /// `bytes` of zeroed memory, not yet backed.
  private static func map(_ bytes: Int) -> UnsafeMutableRawPointer {
    guard
      let raw = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0),
      raw != MAP_FAILED
    else {
      preconditionFailure("UnitHashSet: cannot map \(bytes) bytes for the duplicate check's log")
    }
    return raw
  }
}

/// The log: a deferred duplicate check for chunked reads.
///
/// Each chunk appends its rows' keys, grouped by partition (8 bytes per row, 7 with 256 partitions or more, and 8–9
/// per partition per chunk). Once a file has been read, `repeats(since:threads:)` takes one partition at a time and
/// inserts its keys, chunk after chunk in file order, into a table sized for that partition alone: the partitions are
/// chosen for at most about 16,384 keys each (from the row count that the line ends in the file's first 64 kB
/// suggest, which tends to run high), in a table of 6–12 slots per key (1 MB for 16,384 keys), which stays in a
/// core's caches. So a row costs a cache hit instead of the cache and TLB miss of one table for the whole file, and
/// the partitions are shared among the threads. The keys, their 64 bits (7-byte keys are completed by their
/// partition) and so the false-duplicate bound are those of the online table.
extension UnitHashSet {
  /// Rows per partition the log aims at (the partitions' tables then fit the CPU caches).
  static let rowsPerPartition = 16384

  /// Readies the log for a chunked read of about `expectedRows` rows and at most `mostRows` (an overestimate is
  /// harmless) and returns the log index of the read's first chunk.
  ///
  /// The partitions are chosen when the log is empty; the online table's units, if any, become the log's first
  /// chunk (they came before).
  func startLog(expectedRows: Int, mostRows: Int) -> Int {
    if log.isEmpty {
      var bits = 0
      while bits < 16 && (count + expectedRows) > Self.rowsPerPartition << bits { bits += 1 }
      partitionBits = bits
    }
    arena.reserve(bytes: mostRows * 8)  // at most 8 bytes a key, an upper bound
    foldTableIntoLog()
    return log.count
  }

  /// Forgets the log's chunks from `base` on (a read that started there is done again another way: a pipe whose
  /// copy stopped, `PipeChunks`); their keys' memory stays in the arena until it is reset.
  func dropLog(from base: Int) {
    guard base < log.count else { return }
    for chunk in log[base...] {
      logCount -= chunk.count
      logBytes -= chunk.bytes
    }
    log.removeSubrange(base...)
  }

  /// Appends one chunk's keys, grouped with `partitionBits`.
  func appendToLog(_ chunk: PartitionedHashes) {
    precondition(chunk.starts.count == (1 << partitionBits) + 1, "a chunk grouped with other partitions")
    log.append(chunk)
    logCount += chunk.count
    logBytes += chunk.bytes
    notePeak()
  }

  /// The keys of the log's chunks from `base` on that repeat an earlier key of the log, each with the index of
  /// the log chunk where it first occurs; empty when there is none (the usual case, and the fast one).
  ///
  /// `threads` threads share the partitions.
  func repeats(since base: Int, threads: Int) -> [UInt64: Int] {
    guard base < log.count else { return [:] }
    let partitions = 1 << partitionBits
    let chunks = log
    var totals = [Int](repeating: 0, count: partitions)
    for chunk in chunks {
      for partition in 0..<partitions { totals[partition] += chunk.starts[partition + 1] - chunk.starts[partition] }
    }
    let search = RepeatSearch(
      chunks: chunks, totals: totals, base: base, workers: max(1, min(threads, partitions)))
    if search.workers == 1 {
      search.run(0)
    } else {
      DispatchQueue.concurrentPerform(iterations: search.workers) { search.run($0) }
    }
    let found = search.takeFound()
    let wanted = Set(found)
    guard !wanted.isEmpty else { return [:] }
    // Rare: where each repeated key first occurs, from the partitions that hold one.
    var first: [UInt64: Int] = [:]
    let shift = UInt64(64 - partitionBits)
    for partition in Set(wanted.map { Int(truncatingIfNeeded: $0 >> shift) }).sorted() {
      for (index, chunk) in chunks.enumerated() {
        for position in chunk.starts[partition]..<chunk.starts[partition + 1] {
          let key = chunk.key(position, in: partition)
          if wanted.contains(key) && first[key] == nil { first[key] = index }
        }
      }
    }
    return first
  }
}

/// One search of the log for repeated keys, its partitions shared among `workers` threads (`run(_:)` for each).
private final class RepeatSearch: @unchecked Sendable {
  let chunkCount: Int
  let totals: [Int]
  let base: Int
  let workers: Int
  /// Chunk `c`'s keys (in the log's arena, which outlives the search).
  private let keys: UnsafeMutablePointer<UnsafeRawPointer?>
  /// How every chunk's keys are laid out (the log's partitions).
  let layout: KeyLayout
  /// The chunks' partition starts, partition-major.
  ///
  /// Partition `p` of chunk `c` is positions `bounds[p * chunkCount + c]..<bounds[(p + 1) * chunkCount + c]` of
  /// `keys[c]` (`KeyLayout.offset`). A
  /// partition visits every chunk (thousands of partitions times about a hundred chunks at 30 M rows): this way its
  /// bounds are read in a row, with no array to retain and release per visit.
  private let bounds: UnsafeMutablePointer<Int>
  /// Each worker's repeated keys, written by that worker alone.
  private let found: UnsafeMutablePointer<[UInt64]>

  init(chunks: [PartitionedHashes], totals: [Int], base: Int, workers: Int) {
    chunkCount = chunks.count
    self.totals = totals
    self.base = base
    self.workers = workers
    let partitions = totals.count
    layout = KeyLayout(bits: partitions.trailingZeroBitCount)
    keys = .allocate(capacity: max(1, chunkCount))
    bounds = .allocate(capacity: max(1, (partitions + 1) * chunkCount))
    for (index, chunk) in chunks.enumerated() {
      keys[index] = chunk.base
      for partition in 0...partitions { bounds[partition * chunkCount + index] = chunk.starts[partition] }
    }
    found = .allocate(capacity: workers)
    found.initialize(repeating: [], count: workers)
  }

  deinit {
    keys.deallocate()
    bounds.deallocate()
    found.deinitialize(count: workers)
    found.deallocate()
  }

  /// Worker `worker`: partitions `worker`, `worker + workers`, …, each in a table of its own size.
  ///
  /// A partition's keys go in two passes. The first puts each key in its home slot when that is free, without a
  /// branch on it, and sets the others aside in order (their home taken by another key or by the same one: about as
  /// many as the table is full, a twelfth to a sixth); the second inserts those in order, searching on from home.
  /// Each insert branched on its home slot, which the CPU mispredicted about as often as the table was full: in the
  /// C model this took the search from 2.6–2.8 to 2.3–2.4 ns per row at 10 M rows and from 3.3 to 2.5 at 30 M. The
  /// same keys are found repeated, with the same first occurrences: a key's home slot is never freed, so a key whose
  /// first occurrence was set aside has all its later ones set aside too, and they keep their order.
  func run(_ worker: Int) {
    let largest = totals.max() ?? 0
    var table = PartitionTable(largest: largest, layout: layout)
    defer { table.free() }
    let waiting = UnsafeMutablePointer<UInt64>.allocate(capacity: max(1, largest))
    defer { waiting.deallocate() }
    var repeated: [UInt64] = []
    let bits = totals.count.trailingZeroBitCount
    for partition in stride(from: worker, to: totals.count, by: workers) {
      table.start(partition, of: bits, keys: totals[partition])
      let lower = bounds + partition * chunkCount
      let upper = lower + chunkCount
      var waited = 0
      // The keys set aside from chunks before `base` (an earlier read's) are not reported as repeats.
      var waitedBeforeBase = 0
      for index in 0..<chunkCount {
        if index == base { waitedBeforeBase = waited }
        guard lower[index] < upper[index], let chunkKeys = keys[index] else { continue }
        waited += table.placeAtHome(
          chunkKeys + layout.offset(position: lower[index], partition: partition), count: upper[index] - lower[index],
          waiting: waiting + waited)
      }
      for position in 0..<waited where !table.insert(waiting[position]) && position >= waitedBeforeBase {
        repeated.append(waiting[position])
      }
    }
    found[worker] = repeated
  }

  /// Every worker's repeated keys (after every `run`).
  func takeFound() -> [UInt64] {
    (0..<workers).flatMap { found[$0] }
  }
}

/// Open addressing over 64-bit keys (never 0), for one partition of the log at a time.
///
/// The table is zeroed once, not once per partition: every key of a partition has the partition's top bits, so a
/// slot holding a key of an earlier partition (other top bits) counts as empty, like a 0. The search therefore writes
/// each partition's keys over the last one's without clearing the slots between them (512 kB per partition at 10 M
/// rows, about 50 bytes cleared per row).
private struct PartitionTable {
  private let slots: UnsafeMutablePointer<UInt64>
  private var mask = 0
  /// A slot holds a key of the current partition when `slot &- low < span` (keys of other partitions and 0 do not).
  private var low: UInt64 = 1
  private var span = UInt64.max
  /// How the keys read by `placeAtHome` are laid out, and the current partition's top bits that they may lack.
  private let layout: KeyLayout
  private var top: UInt64 = 0

  /// Room for a partition of up to `largest` keys at a load of at most a sixth, its keys laid out as `layout` says.
  init(largest: Int, layout: KeyLayout) {
    self.layout = layout
    let size = Self.capacity(for: largest)
    slots = .allocate(capacity: size)
    slots.initialize(repeating: 0, count: size)
  }

  /// Slots for `keys` keys: the least power of two of at least 6 per key, so the table is 1/12 to 1/6 full.
  ///
  /// The fuller the table, the more keys find their home slot taken and wait for the search's second pass, where
  /// each probe branches on what it finds and the CPU mispredicts. In the C model of the search on the 2-core machine
  /// (docs/performance.md) 2–4 slots per key cost 4.3–4.6 ns per row at 30 M rows (load 0.45) before the two passes,
  /// 4–8 slots 2.5 ns with them (load 0.23) and 8–16 slots 2.0–2.1 ns (load 0.12). Six per key keeps the 10 M-row
  /// file's partitions (about 9,800 keys, load 0.15) in 512 kB tables and gives the 30 M-row file's (about 7,300
  /// keys) a load of 0.11; up to 16,384-odd keys a table stays within a core's 1 MB second-level cache.
  static func capacity(for keys: Int) -> Int {
    var size = 16
    while size < 6 * keys { size <<= 1 }
    return size
  }

  /// Readies the table for partition `partition` of `1 << bits` (the keys whose top `bits` bits are `partition`),
  /// which has `keys` keys: what the table holds of other partitions counts as empty from now on.
  mutating func start(_ partition: Int, of bits: Int, keys: Int) {
    mask = Self.capacity(for: keys) - 1
    top = layout.top(partition)
    if bits == 0 {
      (low, span) = (1, UInt64.max)  // one partition: every key but 0
    } else {
      let first = UInt64(partition) << UInt64(64 - bits)
      let size = UInt64(1) << UInt64(64 - bits)
      // Partition 0 holds keys 1..<size (keys are never 0).
      (low, span) = partition == 0 ? (1, size - 1) : (first, size)
    }
  }

  /// The first pass over `count` keys of the current partition stored from `keys` on: each goes into its home slot
  /// when that is free; the others are appended to `waiting` in order, for `insert` (the number returned).
  @inline(__always)
  func placeAtHome(_ keys: UnsafeRawPointer, count: Int, waiting: UnsafeMutablePointer<UInt64>) -> Int {
    var waited = 0
    var place = keys
    let width = layout.width
    for _ in 0..<count {
      let key = layout.key(at: place, top: top)
      place += width
      let index = Int(truncatingIfNeeded: key) & mask
      let slot = slots[index]
      let taken = slot &- low < span
      slots[index] = taken ? slot : key
      waiting[waited] = key
      // The flag's byte (0 or 1) added as a number: `taken ? 1 : 0` was compiled to a branch, the one this pass is for.
      waited &+= Int(unsafeBitCast(taken, to: UInt8.self))
    }
    return waited
  }

  /// Inserts `key` (of the current partition); false when it was present.
  @inline(__always)
  func insert(_ key: UInt64) -> Bool {
    var index = Int(truncatingIfNeeded: key) & mask
    while true {
      let slot = slots[index]
      if slot &- low >= span {
        slots[index] = key
        return true
      }
      if slot == key { return false }
      index = (index + 1) & mask
    }
  }

  func free() { slots.deallocate() }
}
