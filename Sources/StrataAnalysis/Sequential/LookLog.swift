import Foundation
import StrataStats

/// One recorded look: what `strata analyze` saw and decided at look `look`.
///
/// One JSON object per line of the look log (snake_case keys).
public struct LookRecord: Sendable, Hashable, Codable {
  /// The primary-family comparison at this look: cumulative estimate and variance (treatment − control).
  public struct Entry: Sendable, Hashable, Codable {
    public var metric: String
    public var treatment: String
    /// nil for the overall (all-segments) comparison.
    public var segment: String?
    public var estimate: Double
    public var variance: Double
    public var z: Double
    /// This comparison's units so far / planned maximum: min(n control, n variant) / max n per variant.
    public var informationFraction: Double?

    public init(
      metric: String, treatment: String, segment: String?, estimate: Double, variance: Double,
      informationFraction: Double? = nil
    ) {
      self.informationFraction = informationFraction
      self.metric = metric
      self.treatment = treatment
      self.segment = segment
      self.estimate = estimate
      self.variance = variance
      self.z = estimate / variance.squareRoot()
    }

    /// Whether `other` is the same comparison (metric, treatment, segment).
    public func matches(_ other: Entry) -> Bool {
      metric == other.metric && treatment == other.treatment && segment == other.segment
    }
  }

  /// 1-based look number.
  public var look: Int
  /// ISO 8601 UTC time of the analysis.
  public var timestamp: String
  /// Hash of the data's sufficient statistics (units and sums per arm and metric): same data, same hash.
  public var fingerprint: String
  public var rowsUsed: Int
  /// Units per variant (all segments).
  public var unitsPerVariant: [String: Int]
  /// The smallest information fraction of the comparisons (the least-informed one), when the plan tells.
  public var informationFraction: Double?
  public var comparisons: [Entry]
  /// The decision at this look (`continue`, `stop_for_efficacy`, `final_reject`, `final_do_not_reject`).
  public var action: String

  public init(
    look: Int, timestamp: String, fingerprint: String, rowsUsed: Int, unitsPerVariant: [String: Int],
    informationFraction: Double?, comparisons: [Entry], action: String
  ) {
    self.look = look
    self.timestamp = timestamp
    self.fingerprint = fingerprint
    self.rowsUsed = rowsUsed
    self.unitsPerVariant = unitsPerVariant
    self.informationFraction = informationFraction
    self.comparisons = comparisons
    self.action = action
  }
}

/// The append-only look log of an experiment's data (`<data>.looks.jsonl` by default): one `LookRecord`
/// per line, oldest first.
///
/// A line for a look number already in the log supersedes the earlier one (the data of that look was
/// corrected); `looks` gives the latest record per look. Each append rewrites the file atomically
/// (`AtomicFile`), so a reader never sees half a line. Writers that read, decide and append hold
/// `LookLogLock.withLock(url)` around all three, so concurrent runs cannot lose a look.
public struct LookLog: Sendable {
  public var url: URL
  /// Every line in file order.
  public private(set) var records: [LookRecord]

  /// Reads the log; a missing file is an empty log.
  ///
  /// A line that is not a look record throws
  /// `DataError` naming the file and line.
  public init(url: URL) throws {
    self.url = url
    records = []
    guard FileManager.default.fileExists(atPath: url.path) else { return }
    let text: String
    do {
      text = try String(contentsOf: url, encoding: .utf8)
    } catch {
      throw DataError(file: url.path, line: nil, message: "cannot read the look log: \(error.localizedDescription)")
    }
    let decoder = JSONDecoder()
    decoder.keyDecodingStrategy = .convertFromSnakeCase
    for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
    where !line.trimmingCharacters(in: .whitespaces).isEmpty {
      do {
        let record = try decoder.decode(LookRecord.self, from: Data(line.utf8))
        guard record.look >= 1 else {
          throw DataError(file: url.path, line: index + 1, message: "look must be at least 1, got \(record.look)")
        }
        records.append(record)
      } catch let error as DataError {
        throw error
      } catch {
        throw DataError(
          file: url.path, line: index + 1,
          message: "not a look record (expected one JSON object per line with look, fingerprint, comparisons, ...)")
      }
    }
  }

  /// The latest record of each look, by look number.
  public var looks: [LookRecord] {
    var latest: [Int: LookRecord] = [:]
    for record in records { latest[record.look] = record }
    return latest.keys.sorted().compactMap { latest[$0] }
  }

  /// The latest record with this fingerprint (the same data analysed before).
  public func record(fingerprint: String) -> LookRecord? {
    looks.last { $0.fingerprint == fingerprint }
  }

  /// Appends `record` as one line and rewrites the file atomically.
  public mutating func append(_ record: LookRecord) throws {
    let encoder = JSONEncoder()
    encoder.keyEncodingStrategy = .convertToSnakeCase
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    encoder.nonConformingFloatEncodingStrategy = .convertToString(
      positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    // Earlier lines are kept byte for byte; the new one is added as a complete line.
    var lines = FileManager.default.fileExists(atPath: url.path) ? try String(contentsOf: url, encoding: .utf8) : ""
    if !lines.isEmpty && !lines.hasSuffix("\n") { lines += "\n" }
    lines += String(decoding: try encoder.encode(record), as: UTF8.self) + "\n"
    try AtomicFile.write(lines, to: url)
    records.append(record)
  }

  /// The default log path for a data file: `<data>.looks.jsonl` next to it.
  public static func defaultURL(forData path: String) -> URL {
    URL(fileURLWithPath: path + ".looks.jsonl")
  }
}
