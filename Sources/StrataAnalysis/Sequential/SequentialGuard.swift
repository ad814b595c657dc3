import Foundation
import StrataAssignment
import StrataStats

/// The peeking guard of `strata analyze`: finds which look this is (look log or `--look K`), records it,
/// and asks StrataStats' `SequentialMonitor` for each comparison of the primary family whether to
/// continue, stop for efficacy, or call the final look.
///
/// Rules (docs/sequential.md, "The guard in `strata analyze`"):
/// - The comparisons are the primary metric's family members (segment × treatment; treatment overall for a
///   single segment). α is Bonferroni-split over them (α/m per comparison, each with the plan's design):
///   valid at every look, a little conservative against Holm.
/// - Each comparison has its own information fraction, min(n control, n variant) / planned maximum per
///   variant (per segment, as the plan sizes each segment); its boundary is recomputed at the fractions it
///   actually reached (Lan–DeMets), and a comparison past its maximum is at its final look. Without a
///   planned maximum (or a log with fractions) the planned fractions are used.
/// - A look beyond the plan, or a second look at a fixed design, is unplanned: `SequentialGuard+Withholding`
///   replaces the naive p-values of the primary metric with a note and shows the always-valid ones.
public struct SequentialGuard: Sendable {
  public var plan: AnalysisPlan
  /// `--look K`, nil to take the number from the log.
  public var look: Int?
  /// Where looks are kept (the look log file on the command line), nil with `--no-look-log`.
  public var log: (any LookStore)?
  /// Whether to write this look to the log (new data).
  public var record: Bool
  public var now: Date
  /// Viewing, not looking (the service's live results): unless the data is that of a recorded look, the
  /// analysis is an interim view with always-valid results, and nothing is recorded.
  public var interim = false

  /// Looks beyond the plan that are still accepted (each one unplanned, always-valid p-values only); a larger
  /// look number is taken for a typo or a damaged log.
  public static let unplannedLookMargin = 100

  public init(
    plan: AnalysisPlan, look: Int? = nil, log: (any LookStore)? = nil, record: Bool = true, now: Date = Date()
  ) {
    self.plan = plan
    self.look = look
    self.log = log
    self.record = record
    self.now = now
  }

  /// The largest look number a plan accepts: its looks plus ``unplannedLookMargin``.
  public static func maximumLook(_ plan: AnalysisPlan) -> Int {
    min(max(plan.looks, 1), LookLog.absoluteMaximumLook - unplannedLookMargin) + unplannedLookMargin
  }

  /// Whether the plan has interim looks (or is always-valid): otherwise only a second look needs the guard.
  public var isSequential: Bool { plan.looks > 1 || plan.sequential.method == .alwaysValid }

  /// Fills `analysis.look` (number and `sequential`) and records the look.
  ///
  /// Withholds naive p-values at unplanned looks, rewrites the verdict, and records the look in the store when
  /// the data is new: as a new look, or, with `--look K` naming the latest look, in place of it (corrected
  /// data). Returns what was recorded, for the line that tells the user how to replace or undo it.
  @discardableResult
  public mutating func apply(to analysis: inout Analysis) throws -> LookOutcome {
    let entries = Self.entries(analysis, maximum: plan.sequential.maximumUnitsPerVariant)
    let fingerprint = Self.fingerprint(analysis)
    let stored = try log?.list() ?? []
    let choice = try chooseLook(stored: stored, fingerprint: fingerprint)
    let number = choice.number
    var note = choice.note
    analysis.look.number = number
    let fraction = entries.compactMap(\.entry.informationFraction).min()
    let previous = stored.filter { $0.look < number }
    let units = Dictionary(
      uniqueKeysWithValues: plan.variants.indices.map {
        (plan.variants[$0], analysis.data.statistics.units(variant: $0))
      })
    var warnings: [String] = []
    if !choice.reused, let prior = previous.last, let warning = Self.fewerUnits(number, units, than: prior) {
      warnings.append(warning)
      note += " Warning: " + warning
    }
    let viewing = interim && !choice.reused
    let needsGuard = isSequential || number > 1 || viewing
    var sequential: SequentialAnalysis?
    if needsGuard {
      sequential = try decide(
        entries: entries, look: number, previous: previous, fraction: fraction, interim: viewing)
      sequential?.reusedLook = choice.reused
      sequential?.lookNote = note
      sequential?.logFile = log?.location
    }
    let action = sequential?.action.rawValue ?? (plan.looks == 1 ? "final" : "continue")
    let current = LookRecord(
      look: number, timestamp: Self.timestamp(now), fingerprint: fingerprint, rowsUsed: analysis.data.rowsUsed,
      unitsPerVariant: units, informationFraction: fraction, comparisons: entries.map(\.entry), action: action)
    var outcome = LookOutcome(
      look: number, action: .notRecorded, location: log?.location, earlier: choice.earlier, warnings: warnings)
    if choice.reused {
      outcome.action = .reused
    } else if record, !viewing, let log {
      if choice.replaces {
        try log.replaceLatest(with: current)
        outcome.action = .replaced
      } else {
        try log.append(current)
        outcome.action = .recorded
      }
    }
    sequential?.log = previous + [choice.reused ? (choice.earlier ?? current) : current]
    analysis.look.sequential = sequential
    if let sequential { Self.withhold(sequential, in: &analysis) }
    analysis.decision = DecisionMaker(analysis: analysis).decide()
    return outcome
  }

  /// The primary family's comparisons with their cumulative estimates (those with a positive variance).
  static func entries(
    _ analysis: Analysis, maximum: Int?
  ) -> [(entry: LookRecord.Entry, estimate: CumulativeEstimate)] {
    guard let primary = analysis.plan.primaryMetricIndex else { return [] }
    let metric = analysis.metrics[primary]
    let binomial = metric.metric.hasBinomialVariance
    let single = analysis.plan.segments.count == 1
    return metric.comparisons.compactMap { comparison in
      // One segment: its comparison and the overall one are the same data, so only the overall one counts.
      guard single ? comparison.segment == nil : comparison.segment != nil else { return nil }
      func variance(_ arm: ArmSummary) -> Double {
        binomial ? arm.mean * (1 - arm.mean) / arm.count : arm.standardDeviation * arm.standardDeviation / arm.count
      }
      let difference = comparison.treatmentArm.mean - comparison.control.mean
      guard
        let estimate = try? CumulativeEstimate(
          estimate: difference, variance: variance(comparison.control) + variance(comparison.treatmentArm))
      else { return nil }
      let entry = LookRecord.Entry(
        metric: metric.metric.name, treatment: comparison.treatment, segment: comparison.segment,
        estimate: estimate.estimate, variance: estimate.variance,
        informationFraction: maximum.map { min(comparison.control.count, comparison.treatmentArm.count) / Double($0) })
      return (entry, estimate)
    }
  }

  /// A 64-bit FNV-1a hash of the sufficient statistics every comparison uses (units, means, standard
  /// deviations and missing counts per arm), as 16 hex digits: the same data gives the same fingerprint.
  static func fingerprint(_ analysis: Analysis) -> String {
    var text = "\(analysis.data.rowsUsed)|\(analysis.data.units)"
    for metric in analysis.metrics {
      for comparison in metric.comparisons {
        for arm in [comparison.control, comparison.treatmentArm] {
          text += "|\(metric.metric.name):\(comparison.segment ?? "*"):\(arm.variant):\(arm.missing):"
          text += String(format: "%.17g:%.17g:%.17g", arm.count, arm.mean, arm.standardDeviation)
        }
      }
    }
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in text.utf8 {
      hash ^= UInt64(byte)
      hash = hash &* 0x0000_0100_0000_01b3
    }
    return String(format: "%016llx", hash)
  }

  static func timestamp(_ date: Date) -> String {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime]
    return formatter.string(from: date)
  }
}
