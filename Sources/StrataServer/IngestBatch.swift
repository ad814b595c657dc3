/// One exposure to store: a unit saw a variant of an experiment.
public struct ExposureRow: Sendable, Hashable {
  /// The client-chosen id (nil for exposures the service logs itself at OFREP evaluation).
  public var id: String?
  public var experiment: String
  public var unit: String
  public var variant: String
  public var segment: String
  public var time: IngestTime
  public var definitionHash: String
}

/// One event to store: a unit's value of a metric at a time.
public struct EventRow: Sendable, Hashable {
  public var id: String
  public var unit: String
  public var metric: String
  public var value: Double
  public var time: IngestTime
}

/// A validated request's rows, written in one transaction (all or nothing).
public enum IngestBatch: Sendable {
  case exposures([ExposureRow])
  case events([EventRow])

  public var count: Int {
    switch self {
    case .exposures(let rows): return rows.count
    case .events(let rows): return rows.count
    }
  }
}

/// What a store did with one batch.
public struct IngestOutcome: Sendable, Hashable {
  /// Items written (new ids).
  public var stored: Int
  /// Items whose id was already stored (a retried batch): skipped, not counted again.
  public var duplicates: Int
}

extension IngestBatch {
  /// Splits the batches of one transaction into rows to write and items already seen in an earlier batch of the
  /// same transaction (a retry racing its original): the first of each id is written.
  static func firstOfEachID(_ batches: [IngestBatch]) -> (batches: [IngestBatch], repeated: [Int]) {
    var exposureIDs: Set<String> = []
    var eventIDs: Set<String> = []
    var repeated: [Int] = []
    var result: [IngestBatch] = []
    for batch in batches {
      var skipped = 0
      switch batch {
      case .exposures(let rows):
        let kept = rows.filter { row in
          guard let id = row.id else { return true }
          if exposureIDs.insert(id).inserted { return true }
          skipped += 1
          return false
        }
        result.append(.exposures(kept))
      case .events(let rows):
        let kept = rows.filter { row in
          if eventIDs.insert(row.id).inserted { return true }
          skipped += 1
          return false
        }
        result.append(.events(kept))
      }
      repeated.append(skipped)
    }
    return (result, repeated)
  }
}
