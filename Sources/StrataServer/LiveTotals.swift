import Foundation
import StrataWarehouse

/// A store that keeps running cell totals (both do).
protocol LiveTotalsStore: Sendable {
  /// The results' rows from the totals; nil when they are not complete for `plan` (missing, made under another plan,
  /// or being built): the caller runs the results query instead.
  func liveResult(_ plan: LivePlan, query: CellQuery) async throws -> QueryResult?
  /// Per variant: the stored exposures and repeats (`live_exposures`) and the events of its analysed units, from the
  /// totals; nil unless they are complete for `plan`.
  func liveActivity(_ plan: LivePlan) async throws -> [VariantActivity]?
  /// What the stored totals cover (a few rows: no scan of the exposures or events).
  func liveTotalsCoverage() async throws -> LiveTotalsCoverage
  /// Whether an experiment's complete totals hold as many units as it has exposed units (a scan of its exposures
  /// and kept units: only for a database whose writes were never tracked, from an earlier release).
  func liveTotalsInStep(experiment: String) async throws -> Bool
  /// One step of building an experiment's totals, in one transaction: at most `units` more units in unit id order;
  /// `restart` drops what is stored first (`recount`: and counts its stored exposures afresh). Totals missing or
  /// made under another plan are started afresh too. True once they are complete.
  func buildLiveTotals(_ plan: LivePlan, units: Int, restart: Bool, recount: Bool) async throws -> Bool
  /// Records that the totals were checked against the writes made behind the service's back up to `outsideWrites`.
  func markLiveTotalsChecked(outsideWrites: Int) async throws
}

/// What the stored totals cover (``LiveTotalsStore/liveTotalsCoverage()``).
struct LiveTotalsCoverage: Sendable, Equatable {
  struct Experiment: Sendable, Equatable {
    /// The ``LivePlan/key`` the totals were made under.
    var key: String
    /// False while they are being built.
    var complete: Bool
  }

  var experiments: [String: Experiment]
  /// Writes to exposures and events not made by the service (counted by triggers).
  var outsideWrites: Int
  /// The value of ``outsideWrites`` the totals were last checked against; -1: never (an earlier release's database).
  var checked: Int
}

extension SQLiteStore: LiveTotalsStore {}
extension PostgresStore: LiveTotalsStore {}

/// An (experiment, variant) of the stored exposure counts (`live_exposures`).
struct LiveExposureKey: Hashable, Sendable {
  var experiment: String
  var variant: String
}

/// The running cell totals of one experiment (``LivePlan``), as the store keeps them: per (variant, segment) the sum
/// of its units' contributions and the cell's own shift of each continuous metric, and the units excluded for having
/// two variants.
///
/// Stored in `live_experiments` (key, excluded units), `live_cells` (per cell its sums, their compensations and its
/// shifts: ``shift(_:column:width:)``) and `live_units` (each unit's cell and contribution, so a change or an erasure
/// subtracts exactly what was added), updated in the transaction that writes the exposures and events. The results
/// read these few rows instead of aggregating every unit.
///
/// Each cell's shift of a continuous metric is the first value that entered that cell (or the metric's fixed shift,
/// ``LivePlan/fixedShifts``), so its squares keep the variance's digits whatever the other cells hold: for any value
/// xⱼ of the cell, (xⱼ − mean)² ≤ SS, so Σ(x − xⱼ)² ≤ (n + 1)·SS and Σ(x − K)² − (Σ(x − K))²/n loses at most log₂(n + 1)
/// bits while K is one of the cell's values (when it no longer is: ``setAsideIfDigitsLost(_:)``). One shift for the
/// whole experiment lost them: a first value of 1e12 among revenues of about 300 gave every other cell an sd of 0 and
/// "no variation to test against" (review F4).
struct LiveTotals: Sendable {
  /// One unit's state.
  struct Unit: Sendable, Equatable {
    enum State: Int, Sendable {
      /// In its cell.
      case counted = 0
      /// Exposed to two variants: counted in `excludedUnits`, in no cell.
      case excluded = 1
      /// A 0/1 metric holds another value: left out, as the results query leaves it out.
      case dropped = 2

      /// From the stored `is_excluded` column.
      init(stored: Int) { self = State(rawValue: stored) ?? .dropped }
      var stored: Int { rawValue }
    }

    var variant: String
    var segment: String
    var state: State
    var contribution: [Double]
  }

  struct CellKey: Hashable, Sendable {
    var variant: String
    var segment: String
  }

  var key: String
  var excludedUnits: Int
  var cells: [CellKey: [Double]]
  /// Cells changed since loading (to write back).
  var changed: Set<CellKey> = []
  /// Being built (``LiveTotalsStore/buildLiveTotals(_:units:restart:recount:)``): the totals hold exactly the units
  /// up to ``cursor`` in unit id order (none while it is nil); ingestion keeps those and leaves the rest to the build.
  var building = false
  var cursor: String?

  /// The stored events of a variant's analysed units (the last of each cell's `width` sums).
  func events(variant: String, width: Int) -> Int {
    Int(
      cells.filter { $0.key.variant == variant }.reduce(0) {
        $0 + ($1.value.isEmpty ? 0 : LiveTotals.value($1.value, width - 1, count: width))
      }.rounded())
  }

  /// Whether the totals hold `unit` (complete totals hold every unit).
  ///
  /// Unit ids compare as their UTF-8 bytes, as SQLite's default collation orders them.
  func covers(_ unit: String) -> Bool {
    guard building else { return true }
    guard let cursor else { return false }
    return !cursor.utf8.lexicographicallyPrecedes(unit.utf8)
  }

  init(key: String, excludedUnits: Int, cells: [CellKey: [Double]]) {
    self.key = key
    self.excludedUnits = excludedUnits
    self.cells = cells
  }

  /// Empty totals for `plan`.
  init(plan: LivePlan) {
    self.init(key: plan.key, excludedUnits: 0, cells: [:])
  }

  /// The shift of value column `column` in a cell's stored `totals` (`width` sums, their `width` compensations, then
  /// one shift per value column); nil while no value has entered the cell (NaN, or not stored).
  static func shift(_ totals: [Double], column: Int, width: Int) -> Double? {
    let index = 2 * width + column
    guard index < totals.count, !totals[index].isNaN else { return nil }
    return totals[index]
  }

  /// The shifts of a cell (``shift(_:column:width:)``), one per value column of `plan`.
  func shifts(_ cell: CellKey, plan: LivePlan) -> [Double?] {
    guard let totals = cells[cell] else { return [Double?](repeating: nil, count: plan.columns.count) }
    return plan.columns.indices.map { LiveTotals.shift(totals, column: $0, width: plan.width) }
  }

  /// Sets the unset shifts of a cell that `shifts` holds (the cell is made, empty, when it is not stored yet).
  mutating func setShifts(_ shifts: [Double?], of cell: CellKey, plan: LivePlan) {
    let width = plan.width
    let count = 2 * width + plan.columns.count
    LiveTotals.update(&cells[cell, default: []], count: width) { totals in
      if totals.count < count { totals += [Double](repeating: .nan, count: count - totals.count) }
      for (column, shift) in shifts.enumerated() where totals[2 * width + column].isNaN {
        if let shift { totals[2 * width + column] = shift }
      }
    }
    changed.insert(cell)
  }

  /// The key stored for totals set aside (``remove(_:plan:)``, ``setAsideIfDigitsLost(_:)``): it matches no plan, so
  /// the results run their query and the next pass of the build makes the totals afresh (`not_finite`).
  static let notFiniteKey = "not finite: rebuild"

  /// Takes an erased unit out of the totals, or sets them aside when what is left would not be exact.
  ///
  /// Totals that held a value beyond ±1e50 (stored before `POST /v1/events` refused such values, or written behind the
  /// service's back: its square is ∞, and as the first value of its cell it is the shift that makes every other
  /// square of the cell ∞) cannot give the others' sums back when it is erased: ∞ − ∞ is NaN, and the results stopped
  /// with 409 although the value was gone, until the totals were made again for another reason. And erasing the unit
  /// whose value set its cell's shift of a continuous metric may leave the cell's others summed about a far-away
  /// shift: a first value of 1e12 among values of about 300, erased, left variances of 0 and a 200 with the note "no
  /// variation to test against" (`plan`: ``LivePlan/lostDigits(_:)`` of the unit's cell, whatever events the unit got
  /// since). Either way the totals take ``notFiniteKey`` instead: nothing reads them until the build has made them
  /// again from the stored rows (with new shifts). Erasures are rare, so that costs a build now and then; a unit
  /// recomputed on ingestion keeps its ∞ in the totals (the results' 409 names it).
  mutating func remove(_ unit: Unit, plan: LivePlan?) {
    apply(unit, sign: -1)
    // The sums and their compensations, not the shifts after them (NaN while unset): `width` sums (the plan's, else
    // the unit's own; a unit in no cell changed none).
    let current = plan.flatMap { $0.key == key ? $0 : nil }
    let width = current?.width ?? (unit.state == .counted ? unit.contribution.count : 0)
    let finite = { (values: [Double]) in values.prefix(2 * width).allSatisfy(\.isFinite) }
    var lost = false
    if unit.state == .counted, let current, let cell = cells[CellKey(variant: unit.variant, segment: unit.segment)] {
      lost = current.lostDigits(cell)
    }
    if lost || !finite(unit.contribution) || !cells.values.allSatisfy(finite) { key = LiveTotals.notFiniteKey }
  }

  /// Sets the totals aside (``notFiniteKey``) when a cell changed since saving has lost its variance's digits
  /// (``LivePlan/lostDigits(_:)``).
  ///
  /// A cell's shift is a value that entered it, and stays when that value no longer is one of the cell's: its unit
  /// moved to another cell (an earlier exposure arrived with another segment), was excluded (a second variant) or left
  /// out (a 0/1 value that is neither), or its later events moved its value far away. With a first value of 1e12 that
  /// then left, the cell's others are summed about 1e12. Ingestion checks the cells it changed before saving; the next
  /// pass of the build makes the totals again (with new shifts), and the results run their query meanwhile. Rare: the
  /// cost is a build then, never wrong numbers.
  mutating func setAsideIfDigitsLost(_ plan: LivePlan) {
    guard key == plan.key, changed.contains(where: { cells[$0].map(plan.lostDigits) ?? false }) else { return }
    key = LiveTotals.notFiniteKey
  }

  /// Adds (`sign` 1) or subtracts (−1) a unit.
  mutating func apply(_ unit: Unit, sign: Double) {
    switch unit.state {
    case .excluded:
      excludedUnits += sign > 0 ? 1 : -1
      return
    case .dropped: return
    case .counted: break
    }
    let cell = CellKey(variant: unit.variant, segment: unit.segment)
    let count = unit.contribution.count
    // In place (twice per touched unit in every ingestion transaction): a copy taken out of the dictionary and stored
    // back copied the array each time.
    LiveTotals.update(&cells[cell, default: []], count: count) { totals in
      for index in 0..<count { LiveTotals.add(sign * unit.contribution[index], to: &totals, index, count: count) }
    }
    changed.insert(cell)
  }

  /// Runs `body` on `totals`, made `count` running sums followed by their `count` compensations (and then the cell's
  /// shifts, kept as they are): zeros unless it holds both, or only the sums (as stored before the compensations were
  /// kept: those start at 0).
  private static func update(_ totals: inout [Double], count: Int, _ body: (inout [Double]) -> Void) {
    if totals.count == count {
      totals += [Double](repeating: 0, count: count)
    } else if totals.count < 2 * count {
      totals = [Double](repeating: 0, count: 2 * count)
    }
    body(&totals)
  }

  /// Adds `x` to running sum `index` of `totals`, keeping what rounding lost in its compensation (Neumaier's
  /// summation).
  ///
  /// A unit with a large value subtracted again (an erasure, a unit recomputed) left the others' sum and sum of
  /// squares in the rounding of the large one: after an event of 1e50 was added and erased, a cell's revenue mean
  /// read as its shift (300.25 for 240.19) and the results answered 200 with lifts of −343 for +12.7. The
  /// compensation keeps the lost part, so the sum is the others' again.
  @inline(__always)
  static func add(_ x: Double, to totals: inout [Double], _ index: Int, count: Int) {
    let sum = totals[index]
    let next = sum + x
    totals[count + index] += Swift.abs(sum) >= Swift.abs(x) ? (sum - next) + x : (x - next) + sum
    totals[index] = next
  }

  /// Running sum `index` of a cell's `totals` (`count` sums, then their compensations when kept, then its shifts)
  /// with its compensation; a sum that is not finite as it is (its compensation is then NaN).
  static func value(_ totals: [Double], _ index: Int, count: Int) -> Double {
    guard totals.count >= 2 * count else { return totals[index] }
    let compensation = totals[count + index]
    return compensation.isFinite ? totals[index] + compensation : totals[index]
  }

  /// The result of the event-level `CellQuery` for these totals: its columns, one row per cell with units.
  func result(_ plan: LivePlan, query: CellQuery) -> QueryResult {
    var rows: [[QueryResult.Value]] = []
    let width = plan.width
    let ordered = cells.filter { !$0.value.isEmpty && LiveTotals.value($0.value, 0, count: width).rounded() >= 1 }
      .sorted {
        ($0.key.variant, $0.key.segment) < ($1.key.variant, $1.key.segment)
      }
    for (cell, sums) in ordered {
      let totals = (0..<width).map { LiveTotals.value(sums, $0, count: width) }
      var row: [QueryResult.Value] = [
        .text(cell.variant), .text(cell.segment), .integer(Int64(totals[0].rounded())),
      ]
      var position = 1
      for (index, metric) in plan.columns.enumerated() {
        row.append(.integer(Int64(totals[position].rounded())))
        if metric.missing == .zero {
          if query.countsZeroFills { row.append(.integer(Int64(totals[position + 1].rounded()))) }
          position += 1
        }
        if metric.kind == .binomial {
          row.append(.double(totals[position + 1]))
          position += 2
        } else {
          // The cell's own shift; a cell without a value of this column has none (its sums are 0).
          row.append(.double(LiveTotals.shift(sums, column: index, width: width) ?? plan.fixedShifts[index] ?? 0))
          row.append(.double(totals[position + 1]))
          // A total a hair below 0 is the rounding of a subtraction: 0. NaN (∞ − ∞: a unit whose square overflowed,
          // replaced) goes on to the reader, which refuses it as it refuses ∞ (409 `not_analysable`): `max(0, NaN)` is
          // 0, which answered 200 with wrong numbers.
          let squares = totals[position + 2]
          row.append(.double(squares < 0 ? 0 : squares))
          position += 3
        }
      }
      for hasUnits in plan.pairHasUnits {
        row.append(.double(totals[position]))
        position += 1
        if hasUnits {
          row += [
            .integer(Int64(totals[position].rounded())), .double(totals[position + 1]), .double(totals[position + 2]),
          ]
          position += 3
        }
      }
      row.append(.integer(Int64(excludedUnits)))
      rows.append(row)
    }
    return QueryResult(columns: query.columns, rows: rows)
  }

  /// Doubles as little-endian bytes (a stored contribution or cell; NaN stands for a cell's unset shift).
  static func bytes(_ values: [Double]) -> [UInt8] {
    [UInt8](unsafeUninitializedCapacity: values.count * 8) { buffer, count in
      let raw = UnsafeMutableRawBufferPointer(buffer)
      for (index, value) in values.enumerated() {
        raw.storeBytes(of: value.bitPattern.littleEndian, toByteOffset: index * 8, as: UInt64.self)
      }
      count = values.count * 8
    }
  }

  /// Doubles from ``bytes(_:)`` (trailing bytes short of a double are ignored).
  static func doubles<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> [Double] {
    // Stored contributions are read for every touched unit of every ingestion transaction: read contiguous bytes
    // (Data, arrays) eight at a time rather than through the collection's iterator.
    if let values = bytes.withContiguousStorageIfAvailable({ doubles(UnsafeRawBufferPointer($0)) }) { return values }
    return doubles(Array(bytes))
  }

  private static func doubles(_ raw: UnsafeRawBufferPointer) -> [Double] {
    let count = raw.count / 8
    return [Double](unsafeUninitializedCapacity: count) { buffer, initialized in
      for index in 0..<count {
        buffer[index] = Double(
          bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self)))
      }
      initialized = count
    }
  }

  /// Lowercase hex of bytes (PostgreSQL's `decode(…, 'hex')` reads it).
  static func hex(_ bytes: [UInt8]) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var out: [UInt8] = []
    out.reserveCapacity(bytes.count * 2)
    for byte in bytes {
      out.append(digits[Int(byte >> 4)])
      out.append(digits[Int(byte & 0x0F)])
    }
    return String(decoding: out, as: UTF8.self)
  }

  /// Doubles from the hex of ``bytes(_:)`` (PostgreSQL's `encode(…, 'hex')`).
  static func doubles(hex: String) -> [Double] {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(hex.utf8.count / 2)
    var high: UInt8?
    for character in hex.utf8 {
      let nibble: UInt8 =
        switch character {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): character - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): character - UInt8(ascii: "A") + 10
        default: 0
        }
      if let first = high {
        bytes.append(first << 4 | nibble)
        high = nil
      } else {
        high = nibble
      }
    }
    return doubles(bytes)
  }
}
