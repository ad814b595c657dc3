import StrataStats

/// The sequential guard's result at one look: which look this is, the boundary (or the always-valid
/// result) for each comparison of the primary family, the overall decision in words, and the look log.
public struct SequentialAnalysis: Sendable, Hashable {
  /// One comparison of the primary family at this look.
  public struct Row: Sendable, Hashable {
    public var metric: String
    public var treatment: String
    /// nil for the overall (all-segments) comparison (single-segment experiments).
    public var segment: String?
    /// min(n control, n variant) / planned maximum per variant (nil when the plan cannot tell).
    public var informationFraction: Double?
    /// StrataStats' decision: z, boundary, always-valid result, action and reason.
    public var decision: SequentialDecision
  }

  /// 1-based look number.
  public var look: Int
  /// Planned looks (nil when the plan has no horizon).
  public var plannedLooks: Int?
  /// `group-sequential` or `always-valid` (the plan's method).
  public var method: String
  /// The spending function (`obf`, `pocock`, `hsd:γ`), group-sequential plans only.
  public var spending: String?
  /// α per comparison: the plan's α Bonferroni-split over the family's comparisons.
  public var alphaPerComparison: Double
  /// The number of comparisons α is split over.
  public var comparisons: Int
  /// τ of the always-valid mixing prior.
  public var tau: Double
  /// Units so far / planned maximum units (nil when the plan cannot tell).
  public var informationFraction: Double?
  /// Planned maximum units per variant per segment.
  public var plannedMaximumUnitsPerVariant: Int?
  /// The decision for the experiment: stop for efficacy if any comparison crosses its boundary.
  public var action: SequentialDecision.Action
  /// A look beyond the plan, or without a plan: naive p-values are withheld, always-valid ones shown.
  public var unplanned: Bool
  /// One or two plain sentences: what was compared and what it means (for unplanned looks, why).
  public var reason: String
  public var rows: [Row]
  /// The planned boundaries at α per comparison (group-sequential plans), for the boundary chart.
  public var boundaries: [SequentialBoundary]
  /// Looks 1…this one (the latest record of each), this look included.
  public var log: [LookRecord]
  /// The look log file, nil with `--no-look-log`.
  public var logFile: String?
  /// True when the log already held this data (same fingerprint), so no new look was recorded.
  public var reusedLook: Bool
  /// How the look number was found, in words ("same data as look 1, recorded 2026-…; not recorded again").
  public var lookNote: String
  /// An interim view between planned looks (the service's live results): not a look, nothing recorded; the
  /// always-valid results are shown, valid however often they are viewed.
  public var interim = false
}
