import Foundation
import StrataAnalysis
import StrataDefinitions
import StrataStats
import Testing

/// Ratio and CUPED metrics (and a plain continuous one) in `analyze` with columns scaled by powers of two: exact
/// where the cells hold the values' spread, refused with the column's name and what to do where they do not
/// (docs/analyze.md, "Magnitudes: values in any unit"; Scripts/magnitude_sweep.py runs the bundled experiments).
@Suite("Magnitudes in analyze: ratio, CUPED and plain metrics")
struct MagnitudeAnalyzeTests {
  static func scaled(_ x: Double, _ p: Int) -> Double { Double(sign: .plus, exponent: p, significand: x) }

  /// `RatioCovariateAnalyzeTests`' basket, columns [revenue, orders, revenue_before, orders_before] scaled by
  /// 2^`powers[c]`, analysed from its unit-level file.
  static func analysis(powers: [Int], yaml: String = RatioCovariateAnalyzeTests.yaml) throws -> Analysis {
    let plan = AnalysisPlan(definition: try ExperimentLoader.loadDefinition(yaml: yaml, file: "basket.yaml"))
    let units = RatioCovariateAnalyzeTests.units().mapValues { rows in
      rows.map { row in row.indices.map { scaled(row[$0], powers[$0]) } }
    }
    let file = try DataReaderTests.file(RatioCovariateAnalyzeTests.unitLevelCSV(units))
    return try Analyzer(plan: plan).analyze(try DataReader.read(path: file.path, plan: plan))
  }

  /// A column whose squared deviations leave the double range makes every comparison that reads it say so.
  ///
  /// Which column, too large or too small, and the unit to change. Before: "comoments[0][0]: is a sum of squares and must
  /// be finite and non-negative, got inf" (2⁶⁰⁰), "variance: is 0 in both arms" (2⁻⁶⁰⁰).
  @Test(
    "A ratio or CUPED column beyond the cells' range is refused, naming it",
    arguments: [(0, 600), (0, -600), (1, 600), (1, -600), (2, -600), (3, 600)])
  func refusedNamingTheColumn(column: Int, k: Int) throws {
    var powers = [0, 0, 0, 0]
    powers[column] = k
    let analysis = try Self.analysis(powers: powers)
    let name = RatioCovariateAnalyzeTests.columns[column]
    // The ratio reads all four columns, spend (revenue with the covariate revenue_before) columns 0 and 2.
    let metrics = column == 0 || column == 2 ? [0, 1] : [0]
    for metric in metrics {
      let comparisons = analysis.metrics[metric].comparisons
      #expect(comparisons.count == 3)
      for comparison in comparisons {
        #expect(comparison.pValue == nil)
        let note = comparison.notes.joined(separator: " ")
        #expect(
          note.contains(
            "values of \(name): are too \(k > 0 ? "large" : "small") for double precision"),
          "\(note)")
        #expect(note.contains(k > 0 ? "give the values in a larger unit" : "give the values in a smaller unit"))
      }
    }
  }

  /// The metric's columns at 2³⁰⁰ and its covariate's at 2⁻³⁰⁰: θ is 2⁶⁰⁰ times the one at 2⁶⁴ and 2⁻⁶⁴ and its
  /// square 2¹²⁰⁰ (∞ before: no test), yet every adjusted lift is exactly 2²³⁶ times that one's and every p-value
  /// the same. (Values from 2²⁰ on are summed about a shift, `ColumnMoments`: the same arithmetic at 2⁶⁴ and 2³⁰⁰,
  /// not the one of unscaled values.)
  @Test("CUPED with the covariate scaled apart is exact")
  func covariateApart() throws {
    let reference = try Self.analysis(powers: [64, 0, -64, 0])
    let result = try Self.analysis(powers: [300, 0, -300, 0])
    for metric in [0, 1] {
      #expect(result.metrics[metric].comparisons.count == 3)
      for (a, b) in zip(result.metrics[metric].comparisons, reference.metrics[metric].comparisons) {
        #expect(a.segment == b.segment)
        #expect(a.pValue != nil && a.pValue == b.pValue, "\(a.notes)")
        #expect(a.absoluteLift == Self.scaled(b.absoluteLift, 236))
        #expect(a.absoluteInterval?.lower == b.absoluteInterval.map { Self.scaled($0.lower, 236) })
        #expect(a.relativeLift == b.relativeLift)
        #expect(a.adjustment?.theta == b.adjustment?.theta.map { Self.scaled($0, 472) })
        #expect(a.adjustment?.varianceReduction == b.adjustment?.varianceReduction)
      }
    }
  }

  static let plainYAML = """
    id: basket
    variants: [control, bundle]
    segments:
      - {name: new, rule: "tenure < 6"}
      - {name: loyal}
    metrics:
      - {name: spend, kind: continuous, column: revenue, missing: zero}
    plan:
      mde: 2
      sd: 40
    """

  /// Revenue at 2⁻⁵³⁰: s² about 2⁻¹⁰⁴⁹, whose squared deviations keep fewer than ten digits.
  ///
  /// Refused with the reason, the pooled estimate too (before: the pooled estimate and Q were computed on what was
  /// left).
  @Test("A plain metric whose squared deviations keep fewer than ten digits is refused, with the pooled estimate")
  func subnormalSpreadRefused() throws {
    let analysis = try Self.analysis(powers: [-530, 0, 0, 0], yaml: Self.plainYAML)
    let metric = analysis.metrics[0]
    #expect(metric.comparisons.count == 3)
    for comparison in metric.comparisons {
      #expect(comparison.pValue == nil)
      #expect(
        comparison.notes.contains { $0.contains("values: are too small for double precision") },
        "\(comparison.notes)")
    }
    #expect(metric.pooled.isEmpty)
    #expect(
      analysis.warnings.contains {
        $0.hasPrefix("No pooled estimate of spend for bundle: values: are too small for double precision")
      }, "\(analysis.warnings)")
  }

  /// Revenue at 2⁻⁵²⁰: s² about 2⁻¹⁰²⁹, whose squared deviations are subnormal doubles.
  ///
  /// The numbers are given, and a warning says how many digits they keep (before: nothing said so; the sweep found
  /// p-values off in their last 8 digits).
  @Test("A metric whose squared deviations are subnormal comes with a warning of the digits kept")
  func subnormalSpreadWarned() throws {
    let analysis = try Self.analysis(powers: [-520, 0, 0, 0], yaml: Self.plainYAML)
    #expect(analysis.metrics[0].comparisons.allSatisfy { $0.pValue != nil })
    let warning = analysis.warnings.first { $0.hasPrefix("spend: values near the bottom of the double range") }
    #expect(warning?.contains("so its numbers keep about ") == true, "\(analysis.warnings)")
    // Ordinary values: no such warning.
    let plain = try Self.analysis(powers: [0, 0, 0, 0], yaml: Self.plainYAML)
    #expect(!plain.warnings.contains { $0.contains("bottom of the double range") })
  }
  /// Revenue of ±1.7e308 in one cell: the spread overflows in the update (∞ − ∞: M2 NaN or −∞).
  ///
  /// The pooled estimate is refused with the reason, as the segment's own comparison is (before: `variance` read
  /// NaN as 0 and the pooled estimate failed on "estimates[2]: must be finite, got -nan").
  @Test("A spread beyond the largest double in one cell refuses the pooled estimate with the reason")
  func overflowingSpreadPooled() throws {
    let plan = AnalysisPlan(definition: try ExperimentLoader.loadDefinition(yaml: Self.plainYAML, file: "basket.yaml"))
    var units = RatioCovariateAnalyzeTests.units()
    for (index, value) in [1.7e308, -1.7e308, 1.7e308, -1.7e308].enumerated() {
      units["control/new"]![index][0] = value
    }
    let file = try DataReaderTests.file(RatioCovariateAnalyzeTests.unitLevelCSV(units))
    let analysis = try Analyzer(plan: plan).analyze(try DataReader.read(path: file.path, plan: plan))
    let metric = analysis.metrics[0]
    #expect(metric.pooled.isEmpty)
    #expect(
      analysis.warnings.contains {
        $0.hasPrefix("No pooled estimate of spend for bundle: values: are too large for double precision")
      }, "\(analysis.warnings)")
    #expect(!analysis.warnings.contains { $0.contains("must be finite") }, "\(analysis.warnings)")
    let new = try #require(metric.comparisons.first { $0.segment == "new" })
    #expect(new.pValue == nil)
    #expect(new.notes.contains { $0.contains("are too large for double precision") }, "\(new.notes)")
    // The post-stratified estimate leaves the segment out and says so, in the singular.
    let stratified = try #require(metric.postStratified.first)
    #expect(
      stratified.notes == [
        "Segment new has no estimate and is left out; the weights are shares of the other segments' units."
      ], "\(stratified.notes)")
  }
}
