import Dispatch

/// One chunk's unit keys (`UnitHashSet.key`) grouped into radix partitions by their top bits, each partition's keys
/// in file order.
///
/// Built by the thread that read the chunk (a counting sort: one pass to count, one to place), so the thread that
/// merges chunks only appends it to the log.
struct PartitionedHashes: Sendable {
  /// Every key, partition 0's first.
  let keys: [UInt64]
  /// Partition `p`'s keys are `keys[starts[p]..<starts[p + 1]]`.
  let starts: [Int]

  /// Groups `hashes` (in file order) into `1 << bits` partitions by the top `bits` bits of their keys.
  init(_ hashes: [UInt64], bits: Int) {
    let partitions = 1 << bits
    let shift = UInt64(64 - bits)  // 64 for one partition: `>>` then gives 0
    var starts = [Int](repeating: 0, count: partitions + 1)
    hashes.withUnsafeBufferPointer { hashes in
      starts.withUnsafeMutableBufferPointer { starts in
        for hash in hashes { starts[Int(truncatingIfNeeded: UnitHashSet.key(hash) >> shift) + 1] += 1 }
        for partition in 0..<partitions { starts[partition + 1] += starts[partition] }
      }
    }
    var next = starts
    keys = hashes.withUnsafeBufferPointer { hashes in
      [UInt64](unsafeUninitializedCapacity: hashes.count) { buffer, initialized in
        next.withUnsafeMutableBufferPointer { next in
          for hash in hashes {
            let key = UnitHashSet.key(hash)
            let partition = Int(truncatingIfNeeded: key >> shift)
            buffer[next[partition]] = key
            next[partition] += 1
          }
        }
        initialized = hashes.count
      }
    }
    self.starts = starts
  }

  /// Bytes held.
  var bytes: Int { keys.count * 8 + starts.count * 8 }
}

/// The log: a deferred duplicate check for chunked reads.
///
/// Each chunk appends its rows' keys, grouped by partition (8 bytes per row and 8 per partition per chunk). Once a
/// file has been read, `repeats(since:threads:)` takes one partition at a time and inserts its keys, chunk after
/// chunk in file order, into a table sized for that partition alone: the partitions are chosen for at most about
/// 16,384 keys each (from the file's size, which overestimates the rows), in a table of 2–4 slots per key (256 kB for
/// 16,384 keys), which stays in the CPU caches. So a row costs a cache hit instead of the cache and TLB miss of one table
/// for the whole file, and the partitions are shared among the threads. The keys, their 64 bits and so the
/// false-duplicate bound are those of the online table.
extension UnitHashSet {
  /// Rows per partition the log aims at (the partitions' tables then fit the CPU caches).
  static let rowsPerPartition = 16384

  /// Readies the log for a chunked read of about `expectedRows` rows (an overestimate is harmless) and returns the
  /// log index of the read's first chunk.
  ///
  /// The partitions are chosen when the log is empty; the online table's units, if any, become the log's first
  /// chunk (they came before).
  func startLog(expectedRows: Int) -> Int {
    if log.isEmpty {
      var bits = 0
      while bits < 16 && (count + expectedRows) > Self.rowsPerPartition << bits { bits += 1 }
      partitionBits = bits
    }
    foldTableIntoLog()
    return log.count
  }

  /// Appends one chunk's keys, grouped with `partitionBits`.
  func appendToLog(_ chunk: PartitionedHashes) {
    precondition(chunk.starts.count == (1 << partitionBits) + 1, "a chunk grouped with other partitions")
    log.append(chunk)
    logCount += chunk.keys.count
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
          let key = chunk.keys[position]
          if wanted.contains(key) && first[key] == nil { first[key] = index }
        }
      }
    }
    return first
  }
}

/// One search of the log for repeated keys, its partitions shared among `workers` threads (`run(_:)` for each).
private final class RepeatSearch: @unchecked Sendable {
  let chunks: [PartitionedHashes]
  let totals: [Int]
  let base: Int
  let workers: Int
  /// Each worker's repeated keys, written by that worker alone.
  private let found: UnsafeMutablePointer<[UInt64]>

  init(chunks: [PartitionedHashes], totals: [Int], base: Int, workers: Int) {
    self.chunks = chunks
    self.totals = totals
    self.base = base
    self.workers = workers
    found = .allocate(capacity: workers)
    found.initialize(repeating: [], count: workers)
  }

  deinit {
    found.deinitialize(count: workers)
    found.deallocate()
  }

  /// Worker `worker`: partitions `worker`, `worker + workers`, …, each in a table of its own size.
  func run(_ worker: Int) {
    var table = PartitionTable(largest: totals.max() ?? 0)
    defer { table.free() }
    var repeated: [UInt64] = []
    for partition in stride(from: worker, to: totals.count, by: workers) {
      table.clear(for: totals[partition])
      for (index, chunk) in chunks.enumerated() {
        chunk.keys.withUnsafeBufferPointer { keys in
          for position in chunk.starts[partition]..<chunk.starts[partition + 1] {
            if !table.insert(keys[position]) && index >= base { repeated.append(keys[position]) }
          }
        }
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
private struct PartitionTable {
  private let slots: UnsafeMutablePointer<UInt64>
  private var mask = 0

  /// Room for a partition of up to `largest` keys at a load of at most one half.
  init(largest: Int) {
    slots = .allocate(capacity: Self.capacity(for: largest))
  }

  static func capacity(for keys: Int) -> Int {
    var size = 16
    while size < 2 * keys { size <<= 1 }
    return size
  }

  /// Empties the table and sizes it for `keys` keys.
  mutating func clear(for keys: Int) {
    let size = Self.capacity(for: keys)
    slots.initialize(repeating: 0, count: size)
    mask = size - 1
  }

  /// Inserts `key`; false when it was present.
  @inline(__always)
  func insert(_ key: UInt64) -> Bool {
    var index = Int(truncatingIfNeeded: key) & mask
    while true {
      let slot = slots[index]
      if slot == 0 {
        slots[index] = key
        return true
      }
      if slot == key { return false }
      index = (index + 1) & mask
    }
  }

  func free() { slots.deallocate() }
}
