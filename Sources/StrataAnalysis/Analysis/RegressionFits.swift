import StrataStats

/// Pass 1 of Lin's regression done from cells (`RegressionCells`): per metric with `covariates:` and per scope (each
/// segment, then all segments together) the fit, or why there is none, and the unadjusted arms.
///
/// Pass 2 (each unit's HC2/HC3 term, summed per arm) runs where the units are: the database, given these fits as
/// literals (`StrataWarehouse.RegressionQuery`); its sums come back as `RegressionSums`. The fits are a deterministic
/// function of the cells, so `strata sql --regression-cells` (which writes the second query) and `strata analyze`
/// (which reads its sums) compute the same ones, and ``fingerprint`` ties the sums to them.
public struct RegressionFits: Sendable {
  /// One metric's fit in one scope.
  public struct Entry: Sendable {
    /// The metric's index in `AnalysisPlan.metrics`, and in `RegressionCells.metrics`.
    public let metric: Int
    public let position: Int
    /// nil: all segments together.
    public let segment: Int?
    /// The fit, or the error the unit rows would have given (missing covariates, too few units, collinearity).
    public let fit: Result<InteractedRegressionFit, StatsError>
    /// Per arm (control, then the treatments in plan order): the unadjusted mean and its variance.
    let unadjusted: [ArmEstimate]
  }

  public let plan: AnalysisPlan
  public let cells: RegressionCells
  /// Per metric (in `cells.metrics` order): one entry per segment, then the overall one.
  public let entries: [Entry]

  public init(plan: AnalysisPlan, cells: RegressionCells) {
    self.plan = plan
    self.cells = cells
    var entries: [Entry] = []
    for (position, metric) in cells.metrics.enumerated() {
      for segment in plan.segments.indices.map(Optional.some) + [nil] {
        let fitted = Result { () throws(StatsError) in
          try Self.fit(plan: plan, cells: cells, position: position, metric: metric, segment: segment)
        }
        switch fitted {
        case .success(let pair):
          entries.append(
            Entry(metric: metric, position: position, segment: segment, fit: .success(pair.0), unadjusted: pair.1))
        case .failure(let error):
          entries.append(
            Entry(metric: metric, position: position, segment: segment, fit: .failure(error), unadjusted: []))
        }
      }
    }
    self.entries = entries
  }

  /// The arms in fit order: the control, then the treatments.
  public var arms: [Int] { [plan.controlIndex] + plan.treatmentIndices }

  /// The entry of metric `position` (an index into `cells.metrics`) and `segment` (nil: overall).
  public func entryIndex(position: Int, segment: Int?) -> Int {
    position * (plan.segments.count + 1) + (segment ?? plan.segments.count)
  }

  /// The fits as the unit-level reader's pass 2 applies them (`RegressionRows.Mode.sums`).
  public var passTwo: RegressionRows.PassTwo {
    var fits: [[InteractedRegressionFit?]] = []
    for position in cells.metrics.indices {
      fits.append(
        (plan.segments.indices.map(Optional.some) + [nil]).map { segment in
          if case .success(let fit) = entries[entryIndex(position: position, segment: segment)].fit { return fit }
          return nil
        })
    }
    var armOfVariant = [Int](repeating: 0, count: plan.variants.count)
    for (arm, variant) in arms.enumerated() { armOfVariant[variant] = arm }
    return RegressionRows.PassTwo(fits: fits, armOfVariant: armOfVariant)
  }

  /// The sums of a second read in `.sums` mode (`DataReader`), per entry and arm; a `DataError` naming `file` when a
  /// cell's units differ from pass 1's (the file changed between the two reads).
  func sums(from rows: RegressionRows, file: String) throws -> RegressionSums {
    try sums(from: rows.sums, file: file)
  }

  /// As ``sums(from:file:)``, from per metric (position) and cell the sums of the units' HC terms.
  func sums(from cellSums: [[RegressionRows.CellSums]], file: String) throws -> RegressionSums {
    var sums: [[Double]?] = entries.map { entry in
      if case .success = entry.fit { return [Double](repeating: 0, count: arms.count) }
      return nil
    }
    for position in cells.metrics.indices {
      for (arm, variant) in arms.enumerated() {
        for segment in plan.segments.indices {
          let cell = cellSums[position][variant * plan.segments.count + segment]
          let expected = cells.moments(position: position, variant: variant, segment: segment).count
          guard Double(cell.units) == expected else {
            throw DataError(
              file: file, line: nil,
              message:
                "changed between the two reads of Lin's regression (\(plan.metrics[cells.metrics[position]].name), variant \(plan.variants[variant]), segment \(plan.segments[segment]): \(Int(expected)) units, then \(cell.units)); analyze it again once it is complete"
            )
          }
          let segmentEntry = entryIndex(position: position, segment: segment)
          if sums[segmentEntry] != nil {
            sums[segmentEntry]?[arm] += cell.segmentLeverageOne > 0 ? .nan : cell.segment
          }
          let overallEntry = entryIndex(position: position, segment: nil)
          if sums[overallEntry] != nil {
            sums[overallEntry]?[arm] += cell.overallLeverageOne > 0 ? .nan : cell.overall
          }
        }
      }
    }
    return RegressionSums(fingerprint: fingerprint, sums: sums)
  }

  /// A fingerprint of every fit's numbers (FNV-1a over their shortest decimal texts), written into the second query's
  /// result so its sums are matched with the fits they were computed for.
  public var fingerprint: String {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    func add(_ text: String) {
      for byte in text.utf8 {
        hash ^= UInt64(byte)
        hash &*= 0x0000_0100_0000_01B3
      }
      hash ^= 0x2c
      hash &*= 0x0000_0100_0000_01B3
    }
    for entry in entries {
      guard case .success(let fit) = entry.fit else {
        add("-")
        continue
      }
      add(fit.robustCovariance.rawValue)
      add("\(fit.outcomeShift)")
      for arm in fit.counts.indices {
        for value in [fit.counts[arm], fit.outcomeMeans[arm]] + fit.covariateMeans[arm] + fit.slopes[arm]
          + fit.gradients[arm] + fit.inverses[arm].flatMap({ $0 })
        {
          add("\(value)")
        }
      }
    }
    let text = String(hash, radix: 16)
    return String(repeating: "0", count: 16 - text.count) + text
  }

  /// The fit of one scope, as `RegressionComparer` fits the unit rows: each arm's moments of [x₁ … x_k, y − y₀].
  private static func fit(
    plan: AnalysisPlan, cells: RegressionCells, position: Int, metric: Int, segment: Int?
  ) throws(StatsError) -> (InteractedRegressionFit, [ArmEstimate]) {
    guard let regression = plan.metrics[metric].regression else { preconditionFailure("no covariates:") }
    let k = regression.columns.count
    let segments = segment.map { [$0] } ?? Array(plan.segments.indices)
    var arms: [RegressionCells.Moments] = []
    for variant in [plan.controlIndex] + plan.treatmentIndices {
      var merged = RegressionCells.Moments(columns: k + 1)
      for segment in segments {
        let moments = cells.moments(position: position, variant: variant, segment: segment)
        if moments.incomplete > 0 {
          throw .invalidInput(
            field: "value columns",
            message:
              "\(moments.incomplete) unit(s) of \(plan.variants[variant]) have a value of \"\(plan.metrics[metric].name)\" but not of every column in covariates:"
          )
        }
        merged.merge(moments)
      }
      arms.append(merged)
    }
    try InteractedRegressionFit.requireUnits(arms.map(\.count), covariates: k)
    // Each column's spread must be what its values give (`ValueRange`): beyond the double range the cells' sums of
    // squares are ∞ or lost their digits, and the fit failed for the wrong reason ("collinear", "leverage 1").
    for moments in arms {
      for c in 0...k {
        let column = RunningMoments(
          count: moments.count, mean: moments.shifts[c] + moments.means[c], m2: moments.comoments[c][c])
        if ValueRange.isTooSmall(column, below: ValueRange.fullPrecisionVariance) || ValueRange.isTooLarge(column) {
          let names = plan.columnIndices(metric: metric).map { plan.columns[$0].column }
          try ValueRange.require(
            column, field: "values of \(c < names.count ? names[c] : "column \(c)")",
            below: ValueRange.fullPrecisionVariance)
        }
      }
    }
    // Column 0 is the value, 1 … k the covariates; the fit takes [x₁ … x_k, y − y₀].
    let y0 = arms[0].shifts[0]
    var matrices: [MomentMatrix] = []
    var unadjusted: [ArmEstimate] = []
    for moments in arms {
      let order = Array(1...k) + [0]
      var means = order.map { moments.shifts[$0] + moments.means[$0] }
      means[k] = (moments.shifts[0] - y0) + moments.means[0]
      let comoments = order.map { i in order.map { j in moments.comoments[i][j] } }
      matrices.append(try MomentMatrix(count: moments.count, means: means, comoments: comoments))
      let mean = y0 + means[k]
      let variance = moments.comoments[0][0] / (moments.count - 1) / moments.count
      unadjusted.append(
        ArmEstimate(
          count: moments.count, estimate: mean, variance: variance, unadjustedEstimate: mean,
          unadjustedVariance: variance))
    }
    let fit = try InteractedRegressionFit(
      arms: matrices, outcomeShift: y0, robustCovariance: regression.errors == .hc2 ? .hc2 : .hc3,
      alternative: plan.alternative, confidenceLevel: plan.confidenceLevel)
    return (fit, unadjusted)
  }
}

/// Pass 2's sums from the database, per `RegressionFits` entry: per arm, Σ of each unit's HC2/HC3 term.
public struct RegressionSums: Sendable, Hashable {
  /// The fits' fingerprint the sums were computed for (`RegressionFits.fingerprint`).
  public var fingerprint: String
  /// Per entry: per arm the sum, nil where the entry has no fit.
  public var sums: [[Double]?]

  public init(fingerprint: String, sums: [[Double]?]) {
    self.fingerprint = fingerprint
    self.sums = sums
  }
}
