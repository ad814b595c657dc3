import Foundation
import StrataAnalysis
import StrataStats
import StrataTestSupport
import Testing

/// Every source fills the same cells: unit-level files, aggregated files with shifts (one or several, rows in
/// any order), and cells given in memory, and the analysis follows the cells.
@Suite("Cell sources")
struct CellSourcesTests {
  static let plan: AnalysisPlan = {
    var plan = AnalysisPlan(
      id: "cells", variants: ["control", "treatment"], segments: ["north", "south", "west"],
      metrics: [
        AnalysisPlan.Metric(name: "converted", kind: .binomial, role: .primary, missing: .zero),
        AnalysisPlan.Metric(name: "revenue", kind: .continuous, role: .secondary, missing: .exclude),
        AnalysisPlan.Metric(name: "orders", kind: .continuous, role: .secondary, missing: .zero),
        AnalysisPlan.Metric(name: "items", kind: .continuous, role: .guardrail, missing: .zero),
      ])
    plan.crossProducts = [AnalysisPlan.CrossProduct(first: 2, second: 3)]
    return plan
  }()

  struct Unit {
    var variant: String
    var segment: String
    var converted: Double
    var revenue: Double?
    var orders: Double
    var items: Double
  }

  static func units(count: Int, seed: UInt64) -> [Unit] {
    var random = SplitMix64(seed: seed)
    func cents(_ x: Double) -> Double { (x * 100).rounded() / 100 }
    return (0..<count).map { _ in
      let variant = Bool.random(using: &random) ? "control" : "treatment"
      let segment = ["north", "south", "west"][Int.random(in: 0..<3, using: &random)]
      let converted: Double = Double.random(in: 0...1, using: &random) < (variant == "control" ? 0.2 : 0.26) ? 1 : 0
      let revenue =
        Double.random(in: 0...1, using: &random) < 0.1 ? nil : cents(Double.random(in: 5...80, using: &random))
      let orders = Double(Int.random(in: 1...6, using: &random))
      let items = orders + Double(Int.random(in: 0...4, using: &random))
      return Unit(
        variant: variant, segment: segment, converted: converted, revenue: revenue, orders: orders, items: items)
    }
  }

  static func unitLevelCSV(_ units: [Unit]) -> String {
    var text = "unit_id,variant,segment,converted,revenue,orders,items\n"
    for (index, unit) in units.enumerated() {
      text += "u\(index),\(unit.variant),\(unit.segment),\(Int(unit.converted)),\(unit.revenue.map { "\($0)" } ?? ""),"
      text += "\(unit.orders),\(unit.items)\n"
    }
    return text
  }

  static let aggregatedHeader =
    "variant,segment,n,converted_sum,revenue_n,revenue_shift,revenue_sum,revenue_sum_sq,orders_shift,orders_sum,"
    + "orders_sum_sq,items_sum,items_sum_sq,items_shift,orders_x_items_sum"

  /// One aggregated row per variant × segment present in `units`, each column about its own random shift.
  static func aggregatedRows(_ units: ArraySlice<Unit>, using random: inout SplitMix64) -> [String] {
    var rows: [String] = []
    for variant in ["control", "treatment"] {
      for segment in ["north", "south", "west"] {
        let cell = units.filter { $0.variant == variant && $0.segment == segment }
        guard !cell.isEmpty else { continue }
        let revenues = cell.compactMap(\.revenue)
        let kr = revenues.first.map { $0 + Double.random(in: -20...20, using: &random).rounded() } ?? 0
        let ko = Double(Int.random(in: 0...5, using: &random)), ki = Double(Int.random(in: 0...8, using: &random))
        let sr = revenues.reduce(0) { $0 + ($1 - kr) }, srr = revenues.reduce(0) { $0 + ($1 - kr) * ($1 - kr) }
        let so = cell.reduce(0) { $0 + ($1.orders - ko) },
          soo = cell.reduce(0) { $0 + ($1.orders - ko) * ($1.orders - ko) }
        let si = cell.reduce(0) { $0 + ($1.items - ki) },
          sii = cell.reduce(0) { $0 + ($1.items - ki) * ($1.items - ki) }
        let soi = cell.reduce(0) { $0 + ($1.orders - ko) * ($1.items - ki) }
        let conversions = Int(cell.reduce(0) { $0 + $1.converted })
        rows.append(
          "\(variant),\(segment),\(cell.count),\(conversions),\(revenues.count),\(kr),\(sr),\(srr),\(ko),\(so),\(soo),"
            + "\(si),\(sii),\(ki),\(soi)")
      }
    }
    return rows
  }

  static func write(_ text: String, name: String = "data.csv") throws -> String {
    try DataReaderTests.file(text, name: name).path
  }

  static func expectSameCells(_ x: SufficientStatistics, _ y: SufficientStatistics, _ label: String) {
    #expect(x.units == y.units, "\(label)")
    for (p, q) in zip(x.metrics, y.metrics) {
      #expect(p.count == q.count && p.missing == q.missing, "\(label)")
      #expect(isClose(p.sum, q.sum, relativeTolerance: 1e-12), "\(label): sum \(p.sum) vs \(q.sum)")
      #expect(isClose(p.mean, q.mean, relativeTolerance: 1e-12), "\(label): mean \(p.mean) vs \(q.mean)")
      #expect(isClose(p.m2, q.m2, relativeTolerance: 1e-12), "\(label): M2 \(p.m2) vs \(q.m2)")
    }
    for (p, q) in zip(x.pairs, y.pairs) {
      #expect(p.count == q.count, "\(label)")
      #expect(isClose(p.comoment, q.comoment, relativeTolerance: 1e-12), "\(label): C \(p.comoment) vs \(q.comoment)")
    }
  }

  static func expectSameAnalysis(_ x: Analysis, _ y: Analysis, _ label: String) {
    #expect(x.sampleRatio.overall.observed == y.sampleRatio.overall.observed, "\(label)")
    #expect(isClose(x.sampleRatio.overall.pValue, y.sampleRatio.overall.pValue, relativeTolerance: 1e-12), "\(label)")
    // Merged cells agree to rounding, not bit for bit: compare what is decided, not the last digits.
    #expect(
      x.decision.action == y.decision.action && x.decision.reason == y.decision.reason
        && x.decision.variant == y.decision.variant
        && x.decision.bestSegment?.segment == y.decision.bestSegment?.segment,
      "\(label)")
    for (m, n) in zip(x.metrics, y.metrics) {
      #expect(m.comparisons.count == n.comparisons.count, "\(label)")
      for (c, d) in zip(m.comparisons, n.comparisons) {
        #expect(c.segment == d.segment && c.control.count == d.control.count && c.significant == d.significant)
        #expect(isClose(c.absoluteLift, d.absoluteLift, relativeTolerance: 1e-9, absoluteTolerance: 1e-12), "\(label)")
        #expect(isClose(c.pValue ?? -1, d.pValue ?? -1, relativeTolerance: 1e-9), "\(label) \(m.metric.name)")
        #expect(isClose(c.treatmentArm.standardDeviation, d.treatmentArm.standardDeviation, relativeTolerance: 1e-9))
      }
      for (p, q) in zip(m.pooled, n.pooled) {
        #expect(isClose(p.estimate, q.estimate, relativeTolerance: 1e-9, absoluteTolerance: 1e-12), "\(label)")
        #expect(isClose(p.pValue, q.pValue, relativeTolerance: 1e-9), "\(label)")
      }
    }
  }

  @Test(arguments: 0..<8)
  func partitionedAggregatesEqualTheUnitLevelFile(seed: Int) throws {
    var random = SplitMix64(seed: UInt64(77 + seed))
    let units = Self.units(count: Int.random(in: 300...1500, using: &random), seed: UInt64(seed))
    let whole = try DataReader.read(path: try Self.write(Self.unitLevelCSV(units)), plan: Self.plan)
    #expect(whole.format == .unitLevel && whole.issues.total == 0)
    // Partitions (days, shards) aggregated separately, rows shuffled, spread over 1-4 files.
    let parts = CellStatisticsTests.partition(
      count: units.count, parts: Int.random(in: 1...6, using: &random), using: &random)
    var rows = parts.flatMap { Self.aggregatedRows(units[$0], using: &random) }
    rows.shuffle(using: &random)
    let fileCount = Int.random(in: 1...min(4, rows.count), using: &random)
    var files: [String] = []
    for file in 0..<fileCount {
      let mine = rows.indices.filter { $0 % fileCount == file }.map { rows[$0] }
      files.append(
        try Self.write(([Self.aggregatedHeader] + mine).joined(separator: "\n") + "\n", name: "part\(file).csv"))
    }
    let merged = try DataReader.read(paths: files, plan: Self.plan)
    #expect(merged.format == .aggregated && merged.rowsUsed == rows.count && merged.files == files)
    Self.expectSameCells(merged.statistics, whole.statistics, "seed \(seed)")
    let analyzer = Analyzer(plan: Self.plan)
    Self.expectSameAnalysis(try analyzer.analyze(merged), try analyzer.analyze(whole), "seed \(seed)")
  }

  @Test func unitLevelPartsShareTheDuplicateCheck() throws {
    let units = Self.units(count: 400, seed: 3)
    let text = Self.unitLevelCSV(units)
    let lines = text.split(separator: "\n").map(String.init)
    let header = lines[0]
    let first = try Self.write(([header] + lines[1...250]).joined(separator: "\n") + "\n", name: "a.csv")
    // The second part repeats u10 (a duplicate across files) before its own rows.
    let second = try Self.write(([header, lines[11]] + lines[251...]).joined(separator: "\n") + "\n", name: "b.csv")
    let parts = try DataReader.read(paths: [first, second], plan: Self.plan)
    let whole = try DataReader.read(path: try Self.write(text), plan: Self.plan)
    #expect(parts.rowsRead == 401 && parts.rowsUsed == 400)
    #expect(parts.issues.entries[.duplicateUnit]?.count == 1)
    #expect(parts.issues.entries[.duplicateUnit]?.firstExample.hasPrefix("(\(second)) repeats unit \"u10\"") == true)
    #expect(parts.duplicatesChecked)
    Self.expectSameCells(parts.statistics, whole.statistics, "unit-level parts")
  }

  @Test func partsMustShareOneLayout() throws {
    let units = Self.units(count: 50, seed: 4)
    var random = SplitMix64(seed: 4)
    let unitLevel = try Self.write(Self.unitLevelCSV(units), name: "units.csv")
    let aggregated = try Self.write(
      ([Self.aggregatedHeader] + Self.aggregatedRows(units[...], using: &random)).joined(separator: "\n"),
      name: "agg.csv")
    #expect {
      _ = try DataReader.read(paths: [unitLevel, aggregated], plan: Self.plan)
    } throws: { error in
      "\(error)".contains("agg.csv:1:") && "\(error)".contains("must share one layout")
    }
  }

  /// A row whose pair counts different units cannot be analysed from sums (the unit-level rows of such a cell stop the
  /// analysis too): one sentence naming file, line and field, never a silently dropped row, with or without --strict.
  @Test func aggregatedCrossProductNeedsTheSameUnits() throws {
    var plan = Self.plan
    plan.crossProducts = [AnalysisPlan.CrossProduct(first: 1, second: 2)]  // revenue has missing values
    let text = """
      variant,segment,n,converted_sum,revenue_n,revenue_sum,revenue_sum_sq,orders_sum,orders_sum_sq,items_sum,\
      items_sum_sq,revenue_x_orders_sum
      treatment,north,10,2,10,90,1000,20,50,30,100,200
      control,north,10,2,9,90,1000,20,50,30,100,200

      """
    let path = try Self.write(text)
    #expect(
      throws: DataError(
        file: path, line: 3,
        message:
          "revenue_x_orders_sum: the row has 9 values of revenue but 10 of orders, and summed cells cannot give a cross-product over different units: declare missing: zero for revenue and orders, or drop those units from the data"
      )
    ) { try DataReader.read(path: path, plan: plan) }
    // The same counts on different units: `<a>_x_<b>_n` (strata sql writes it) says so.
    let sameCounts = """
      variant,segment,n,converted_sum,revenue_n,revenue_sum,revenue_sum_sq,orders_n,orders_sum,orders_sum_sq,\
      items_sum,items_sum_sq,revenue_x_orders_sum,revenue_x_orders_n
      treatment,north,10,2,9,90,1000,9,20,50,30,100,200,9
      control,north,10,2,9,90,1000,9,20,50,30,100,200,8

      """
    let other = try Self.write(sameCounts, name: "same-counts.csv")
    #expect(throws: DataError.self) { try DataReader.read(path: other, plan: plan) }
    do {
      _ = try DataReader.read(path: other, plan: plan)
    } catch let error as DataError {
      #expect(
        error.line == 3
          && error.message.hasPrefix(
            "revenue_x_orders_n: the row has 9 values of revenue and of orders but only 8 units with both"),
        "\(error)")
    }
    // With all units on both, the row is read.
    let summary = try DataReader.read(
      path: try Self.write(String(sameCounts.dropLast(2)) + "9\n", name: "ok.csv"), plan: plan)
    #expect(summary.rowsUsed == 2 && summary.statistics.pair(0, variant: 0, segment: 0).count == 9)
    // Declared pairs need their column.
    #expect(throws: DataError.self) { try DataReader.read(path: try Self.write(text), plan: Self.plan) }
  }

  /// The done-when case: mean 10⁹, standard deviation 1.
  ///
  /// The aggregated path with a shift gives the unit-level
  /// variance to 1e-9 relative; the same sums without a shift (the earlier format) cannot.
  @Test func hugeMeanKeepsItsVarianceWithAShift() throws {
    var random = SplitMix64(seed: 9)
    var plan = AnalysisPlan(
      id: "huge", variants: ["control", "treatment"], segments: ["all"],
      metrics: [AnalysisPlan.Metric(name: "value", kind: .continuous)])
    plan.crossProducts = []
    var unitLevel = "unit_id,variant,value\n"
    var values: [String: [Double]] = ["control": [], "treatment": []]
    for index in 0..<10_000 {
      // Box-Muller normal, sd 1, printed with 6 decimals (the file's values are what both paths read).
      let u = Double.random(in: Double.ulpOfOne...1, using: &random), v = Double.random(in: 0...1, using: &random)
      let z = (-2 * log(u)).squareRoot() * cos(2 * Double.pi * v)
      let text = String(format: "%.6f", 1e9 + z)
      let variant = index % 2 == 0 ? "control" : "treatment"
      values[variant, default: []].append(try #require(Double(text)))
      unitLevel += "u\(index),\(variant),\(text)\n"
    }
    let unit = try DataReader.read(path: try Self.write(unitLevel), plan: plan)
    func aggregated(shift: Double?) throws -> DataSummary {
      var text = "variant,n,value_sum,value_sum_sq" + (shift == nil ? "\n" : ",value_shift\n")
      for variant in ["control", "treatment"] {
        let k = shift ?? 0
        let xs = values[variant, default: []]
        let sum = xs.reduce(0) { $0 + ($1 - k) }, squares = xs.reduce(0) { $0 + ($1 - k) * ($1 - k) }
        text += "\(variant),\(xs.count),\(sum),\(squares)" + (shift.map { ",\($0)\n" } ?? "\n")
      }
      return try DataReader.read(path: try Self.write(text), plan: plan)
    }
    let shifted = try aggregated(shift: 1e9)
    let raw = try aggregated(shift: nil)
    for variant in 0..<2 {
      let expected = unit.statistics.metric(0, variant: variant).variance
      #expect(isClose(expected, 1, relativeTolerance: 0.05))
      let fromShifted = shifted.statistics.metric(0, variant: variant).variance
      #expect(isClose(fromShifted, expected, relativeTolerance: 1e-9), "shifted \(fromShifted) vs \(expected)")
      let fromRaw = raw.statistics.metric(0, variant: variant).variance
      #expect(!isClose(fromRaw, expected, relativeTolerance: 1e-3), "raw sums \(fromRaw) vs \(expected)")
    }
  }

  /// A complete analysis from cells given in memory: no file, the same analysis as the equivalent file.
  @Test func analysisFromCellsInMemory() throws {
    let plan = DataReaderTests.plan
    // variant, segment, n, conversions, revenue n, revenue mean, revenue M2
    let cells: [(Int, Int, Int, Double, Double, Double, Double)] = [
      (0, 0, 1200, 240, 1100, 31.5, 1100 * 90.0), (1, 0, 1180, 290, 1090, 33.0, 1090 * 95.0),
      (0, 1, 800, 120, 700, 28.25, 700 * 80.0), (1, 1, 820, 130, 760, 28.5, 760 * 82.0),
    ]
    var statistics = SufficientStatistics(plan: plan)
    var text = "variant,segment,n,converted_sum,revenue_n,revenue_sum,revenue_sum_sq,revenue_shift\n"
    for (variant, segment, n, conversions, count, mean, m2) in cells {
      let converted = ColumnMoments(count: Double(n), sum: conversions, sumOfSquares: conversions)
      let revenue = ColumnMoments(count: count, mean: mean, m2: m2, sum: count * mean, missing: n - Int(count))
      statistics.merge(
        SufficientStatistics.Cell(units: n, columns: [converted, revenue]), variant: variant, segment: segment)
      let sums = revenue.shiftedSums(about: mean)
      text += "\(plan.variants[variant]),\(plan.segments[segment]),\(n),\(Int(conversions)),\(Int(count)),"
      text += "\(sums.sum),\(sums.sumOfSquares),\(mean)\n"
    }
    let memory = try Analyzer(plan: plan).analyze(DataSummary(cells: statistics, source: "in-memory cells"))
    #expect(memory.data.file == "in-memory cells" && memory.data.units == 4000)
    #expect(memory.metrics.count == 2 && memory.metrics[0].comparisons.count == 3)
    #expect(memory.metrics[0].comparisons[0].control.successes == 240)
    let file = try Analyzer(plan: plan).analyze(DataReader.read(path: try Self.write(text), plan: plan))
    #expect(memory.metrics == file.metrics)
    #expect(memory.sampleRatio == file.sampleRatio)
  }
}
