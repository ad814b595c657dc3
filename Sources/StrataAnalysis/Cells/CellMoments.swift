import StrataStats

/// What a unit-level row updates in one value column of its cell: the count, mean and M2 of x − K (`ColumnMoments`'s
/// shifted moments) and the plain sum, 32 bytes, so that a cell of two value columns is one cache line.
///
/// The rest of a `ColumnMoments` (its shift K, missing and zero-filled counts) is kept apart in `ColumnExtras`, which
/// a row reads or writes only for a missing or zero-filled value, or once any cell has a shift.
struct RowMoments: Sendable, Hashable {
  var count = 0.0
  var mean = 0.0
  var m2 = 0.0
  var sum = 0.0

  /// `ColumnMoments.add(_:)` of `value`, whose shifted value (value − K) is `shifted`: the same operations in the
  /// same order (`RunningMoments.add`, then the sum), so the moments are the same bit for bit.
  @inline(__always)
  mutating func add(shifted x: Double, value: Double) {
    count += 1
    let delta = x - mean
    mean += delta / count
    m2 += delta * (x - mean)
    sum += value
  }
}

/// The fields of a `ColumnMoments` that a row rarely touches: its shift K and its missing and zero-filled counts.
struct ColumnExtras: Sendable, Hashable {
  var shift = 0.0
  var missing = 0
  var zeroFilled = 0
}

/// The `RowMoments` of every value column of every cell, from a 64-byte boundary, so that a cell of two value
/// columns (64 bytes) is exactly one cache line; shared between copies of a `SufficientStatistics` until one of
/// them writes (`SufficientStatistics.uniqueMoments()`).
///
/// An array's elements start 32 bytes into its allocation (48 bytes past a 64-byte boundary for a large one), so
/// that every such cell spanned two lines, and the 112 bytes of two whole `ColumnMoments` 2.5 lines on average.
final class MomentStorage: @unchecked Sendable {
  /// Columns of all cells (`variantCount * segmentCount * metricCount`).
  let count: Int
  let base: UnsafeMutablePointer<RowMoments>

  /// `count` empty columns.
  init(count: Int) {
    self.count = count
    base = Self.allocate(count)
    base.initialize(repeating: RowMoments(), count: count)
  }

  /// A copy of `other`'s columns.
  init(copying other: MomentStorage) {
    count = other.count
    base = Self.allocate(count)
    base.initialize(from: other.base, count: count)
  }

  deinit {
    base.deinitialize(count: count)
    UnsafeMutableRawPointer(base).deallocate()
  }

  /// Room for `count` columns from a 64-byte boundary (at least one byte, so that no count is a special case).
  private static func allocate(_ count: Int) -> UnsafeMutablePointer<RowMoments> {
    UnsafeMutableRawPointer.allocate(byteCount: max(1, count * MemoryLayout<RowMoments>.stride), alignment: 64)
      .bindMemory(to: RowMoments.self, capacity: count)
  }

  /// The columns, read-only.
  var buffer: UnsafeBufferPointer<RowMoments> { UnsafeBufferPointer(start: base, count: count) }
}

extension ColumnMoments {
  /// The column whose moments of x − `shift` are `moments` (count, mean, M2 and the plain sum) and whose missing
  /// and zero-filled counts are `extras`' (the parts `SufficientStatistics` keeps apart).
  init(_ moments: RowMoments, _ extras: ColumnExtras) {
    self.init(
      shift: extras.shift, shiftedMoments: RunningMoments(count: moments.count, mean: moments.mean, m2: moments.m2),
      sum: moments.sum, missing: extras.missing, zeroFilled: extras.zeroFilled)
  }

  /// The row's part of the column (`RowMoments`).
  var rowMoments: RowMoments {
    RowMoments(count: shiftedMoments.count, mean: shiftedMoments.mean, m2: shiftedMoments.m2, sum: sum)
  }

  /// The rest of the column (`ColumnExtras`).
  var extras: ColumnExtras { ColumnExtras(shift: shift, missing: missing, zeroFilled: zeroFilled) }
}

extension SufficientStatistics: CustomReflectable {
  /// The cells as they were stored before the column moments were split in two: counts, units, each column's
  /// `ColumnMoments` and the co-moments (a field-by-field walk, such as the tests' bit-for-bit comparison, sees
  /// every value rather than the address of the row parts).
  public var customMirror: Mirror {
    Mirror(
      self,
      children: [
        "variantCount": variantCount, "segmentCount": segmentCount, "metricCount": metricCount,
        "pairCount": pairCount, "units": units, "metrics": metrics, "pairs": pairs,
      ], displayStyle: .struct)
  }
}
