import Foundation

/// Results of a design's numerical integration kept for the life of the process.
///
/// A design's boundaries and inflation factor depend only on the design (and the power), never on data,
/// yet one `strata analyze` of a plan with looks needs them four times (the definition check, the planned
/// maximum, the look guard and the decision): about 38 ms of a 60 ms run on the release build. Each design
/// is integrated once; later calls return the same values. Only successful results are kept; a design
/// that fails throws again on the next call. The memo is bounded (cleared when it reaches
/// `DesignMemo.capacity` entries) so a long-running service that reloads many plans cannot grow it.
final class DesignMemo: @unchecked Sendable {
  struct InflationKey: Hashable {
    var design: GroupSequentialDesign
    var power: Double
  }

  static let shared = DesignMemo()
  static let capacity = 256

  private let lock = NSLock()
  private var boundaries: [GroupSequentialDesign: [SequentialBoundary]] = [:]
  private var inflation: [InflationKey: Double] = [:]

  func boundaries(of design: GroupSequentialDesign) -> [SequentialBoundary]? {
    lock.withLock { boundaries[design] }
  }

  func store(_ value: [SequentialBoundary], of design: GroupSequentialDesign) {
    lock.withLock {
      if boundaries.count >= Self.capacity { boundaries.removeAll(keepingCapacity: true) }
      boundaries[design] = value
    }
  }

  func inflationFactor(_ key: InflationKey) -> Double? {
    lock.withLock { inflation[key] }
  }

  func store(_ value: Double, _ key: InflationKey) {
    lock.withLock {
      if inflation.count >= Self.capacity { inflation.removeAll(keepingCapacity: true) }
      inflation[key] = value
    }
  }
}
