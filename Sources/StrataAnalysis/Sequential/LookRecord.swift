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
