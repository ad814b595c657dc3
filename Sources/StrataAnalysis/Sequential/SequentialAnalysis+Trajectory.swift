import StrataStats

extension SequentialAnalysis {
  /// One comparison of the primary family followed across the recorded looks.
  public struct Trajectory: Sendable, Hashable {
    /// One look of the comparison: where it stood, its cumulative lift and that look's interval.
    public struct Point: Sendable, Hashable {
      public var look: Int
      /// The comparison's information fraction at this look (its recorded one, else the planned fraction
      /// of the look); above 1 when it has more units than the plan's maximum.
      public var fraction: Double?
      public var z: Double
      /// Cumulative lift, treatment − control, in the metric's unit.
      public var estimate: Double
      public var standardError: Double
      public var lower: Double
      public var upper: Double
    }

    public var metric: String
    public var treatment: String
    public var segment: String?
    public var points: [Point]
    /// This look's boundary of this comparison (group-sequential plans), adapted to its observed
    /// information fractions; nil for always-valid or unplanned looks.
    public var boundary: Double?
    /// The comparison crossed its boundary (or its always-valid test rejected) at this look.
    public var crossed: Bool
  }

  /// How the per-look intervals of `trajectories` are computed.
  public enum TrajectoryInterval: String, Sendable, Hashable {
    /// estimate ± c_k·se with c_k look k's planned boundary: the repeated confidence interval.
    case repeatedConfidence = "repeated_confidence"
    /// estimate ± z₁₋α/2·se at α per comparison, not adjusted for the looks (no planned boundaries).
    case unadjusted
  }

  /// Whether `trajectories` uses repeated confidence intervals (planned boundaries) or unadjusted ones.
  public var trajectoryInterval: TrajectoryInterval {
    boundaries.isEmpty || unplanned ? .unadjusted : .repeatedConfidence
  }

  /// Every comparison of this look followed over the look log: the cumulative lift per look with its
  /// interval (repeated confidence intervals at each planned look's boundary, this look's own boundary
  /// for this look; beyond the plan, or
  /// without boundaries, the unadjusted interval at α per comparison), for the cumulative-lift chart.
  public func trajectories() -> [Trajectory] {
    let fixed = (try? Normal.inverseSurvival(alphaPerComparison / 2)) ?? .nan
    // Each look's comparisons by key, the first of a key kept (as a search from the start would find it): one pass
    // per look instead of a search per row and look, which made a report of thousands of segments quadratic.
    let looks = log.sorted(by: { $0.look < $1.look }).map { record in
      var entries: [TrajectoryKey: Int] = [:]
      entries.reserveCapacity(record.comparisons.count)
      for (index, entry) in record.comparisons.enumerated() {
        let key = TrajectoryKey(metric: entry.metric, treatment: entry.treatment, segment: entry.segment)
        if entries[key] == nil { entries[key] = index }
      }
      return (record, entries)
    }
    return rows.map { row in
      var points: [Trajectory.Point] = []
      let key = TrajectoryKey(metric: row.metric, treatment: row.treatment, segment: row.segment)
      for (record, entries) in looks {
        guard let index = entries[key] else { continue }
        let entry = record.comparisons[index]
        let se = entry.variance.squareRoot()
        let planned = boundaries.first { $0.look == record.look }
        // This look uses the comparison's own boundary (adapted to its observed information).
        let own = record.look == look ? row.decision.boundary?.z : nil
        let critical = trajectoryInterval == .repeatedConfidence ? own ?? planned?.z ?? fixed : fixed
        points.append(
          Trajectory.Point(
            look: record.look, fraction: entry.informationFraction ?? planned?.fraction, z: entry.z,
            estimate: entry.estimate, standardError: se, lower: entry.estimate - critical * se,
            upper: entry.estimate + critical * se))
      }
      return Trajectory(
        metric: row.metric, treatment: row.treatment, segment: row.segment, points: points,
        boundary: unplanned ? nil : row.decision.boundary?.z, crossed: row.decision.action.rejects)
    }
  }

  /// A comparison's identity across looks: metric, treatment and segment (nil for all segments).
  private struct TrajectoryKey: Hashable {
    var metric: String
    var treatment: String
    var segment: String?
  }
}
