import Foundation
import StrataAnalysis
import StrataAssignment
import StrataDefinitions
import StrataTestSupport
import Testing

@Suite("Data reader")
struct DataReaderTests {
  static let plan = AnalysisPlan(
    id: "reader", variants: ["control", "treatment"], segments: ["north", "south"],
    metrics: [
      AnalysisPlan.Metric(name: "converted", kind: .binomial, role: .primary, missing: .zero),
      AnalysisPlan.Metric(name: "revenue", kind: .continuous, role: .secondary, missing: .exclude),
    ])

  static func file(_ text: String, name: String = "data.csv") throws -> URL {
    let directory = try makeTemporaryDirectory("strata-reader")
    let url = directory.appendingPathComponent(name)
    try Data(text.utf8).write(to: url)
    return url
  }

  static let messy = """
    unit_id,variant,segment,converted,revenue
    u1,control,north,1,10.5
    u2,treatment,north,0,
    u3,treatmnt,north,1,3
    u4,control,east,0,1
    u5,control,south,2,1
    u1,treatment,south,1,4
    u6,control,south,,abc
    u7,control,south
    u8, treatment ,south,1,7.25

    """

  @Test func badRowsAreCountedWithTheirFirstLines() throws {
    let summary = try DataReader.read(path: try Self.file(Self.messy).path, plan: Self.plan)
    #expect(summary.rowsRead == 9)
    #expect(summary.rowsUsed == 3)
    let issues = summary.issues.entries
    #expect(issues[.unknownVariant]?.firstLines == [4])
    #expect(issues[.unknownSegment]?.firstLines == [5])
    #expect(issues[.badNumber]?.firstLines == [6, 8])
    #expect(issues[.duplicateUnit]?.firstLines == [7])
    #expect(issues[.wrongFieldCount]?.firstLines == [9])
    #expect(summary.issues.total == 6)
    let statistics = summary.statistics
    #expect(statistics.units(variant: 0, segment: 0) == 1)
    #expect(statistics.units(variant: 1, segment: 0) == 1)
    #expect(statistics.units(variant: 1, segment: 1) == 1)  // " treatment " with spaces is matched
    // converted: missing = zero; revenue: missing = exclude.
    #expect(statistics.metric(0, variant: 1, segment: 0).count == 1)
    #expect(statistics.metric(1, variant: 1, segment: 0).count == 0)
    #expect(statistics.metric(1, variant: 1, segment: 0).missing == 1)
  }

  @Test func strictModeFailsOnTheFirstBadRowNamingItsLine() throws {
    let url = try Self.file(Self.messy)
    #expect {
      _ = try DataReader.read(path: url.path, plan: Self.plan, options: DataReadOptions(strict: true))
    } throws: { error in
      "\(error)".contains("data.csv:4:") && "\(error)".contains("treatmnt")
    }
  }

  @Test func missingColumnsAreNamed() throws {
    let url = try Self.file("unit_id,variant,segment,converted\nu1,control,north,1\n")
    #expect {
      _ = try DataReader.read(path: url.path, plan: Self.plan)
    } throws: { error in
      "\(error)".contains("revenue")
    }
  }

  /// Unit-level rows and their aggregates (n, Σx, Σx²) give the same sufficient statistics.
  @Test func aggregatedInputMatchesUnitLevelInput() throws {
    var generator = SplitMix64(seed: 99)
    var unitLevel = "unit_id,variant,segment,converted,revenue\n"
    var sums: [String: (n: Int, conversions: Int, revenueN: Int, revenue: Double, revenueSquares: Double)] = [:]
    for index in 0..<4000 {
      let variant = Self.plan.variants.randomElement(using: &generator)!
      let segment = Self.plan.segments.randomElement(using: &generator)!
      let converted = Double.random(in: 0..<1, using: &generator) < 0.3 ? 1 : 0
      let hasRevenue = Double.random(in: 0..<1, using: &generator) < 0.9
      let revenue = (Double.random(in: 0..<200, using: &generator) * 100).rounded() / 100
      unitLevel += "u\(index),\(variant),\(segment),\(converted),\(hasRevenue ? "\(revenue)" : "")\n"
      var cell = sums["\(variant),\(segment)"] ?? (0, 0, 0, 0, 0)
      cell.n += 1
      cell.conversions += converted
      if hasRevenue {
        cell.revenueN += 1
        cell.revenue += revenue
        cell.revenueSquares += revenue * revenue
      }
      sums["\(variant),\(segment)"] = cell
    }
    var aggregated = "variant,segment,n,converted_sum,revenue_n,revenue_sum,revenue_sum_sq\n"
    for (key, cell) in sums.sorted(by: { $0.key < $1.key }) {
      aggregated += "\(key),\(cell.n),\(cell.conversions),\(cell.revenueN),\(cell.revenue),\(cell.revenueSquares)\n"
    }
    let a = try DataReader.read(path: try Self.file(unitLevel).path, plan: Self.plan)
    let b = try DataReader.read(path: try Self.file(aggregated).path, plan: Self.plan)
    #expect(a.format == .unitLevel)
    #expect(b.format == .aggregated)
    #expect(a.statistics.units == b.statistics.units)
    for (x, y) in zip(a.statistics.metrics, b.statistics.metrics) {
      #expect(x.count == y.count)
      #expect(x.missing == y.missing)
      #expect(isClose(x.sum, y.sum, relativeTolerance: 1e-12))
      #expect(isClose(x.moments.mean, y.moments.mean, relativeTolerance: 1e-12))
      // M2 from Σx² − (Σx)²/n loses a few digits to cancellation (see AggregatedRows).
      #expect(isClose(x.moments.m2, y.moments.m2, relativeTolerance: 1e-8))
    }
  }

  /// Σx² below (Σx)²/n cannot come from real values: the row is a bad row, not a cell with variance 0.
  ///
  /// Rounding (an all-equal cell whose Σx² lands a few ulps low) is still accepted.
  @Test func aggregatedRowsWithImpossibleSumsOfSquaresAreBadRows() throws {
    let text = """
      variant,segment,n,converted_sum,revenue_n,revenue_sum,revenue_sum_sq
      control,north,100,10,100,1000,5000
      treatment,north,100,12,100,1000,10000
      control,south,3,1,3,0.3,0.029999999999999995
      treatment,south,100,12,100,1000,20000

      """
    let summary = try DataReader.read(path: try Self.file(text).path, plan: Self.plan)
    #expect(summary.rowsRead == 4)
    #expect(summary.rowsUsed == 3)
    let entry = try #require(summary.issues.entries[.badNumber])
    #expect(entry.firstLines == [2])
    #expect(entry.firstExample.contains("revenue_sum_sq"))
    #expect(summary.statistics.metric(1, variant: 0, segment: 1).moments.m2 == 0)
    let url = try Self.file(text)
    #expect {
      _ = try DataReader.read(path: url.path, plan: Self.plan, options: DataReadOptions(strict: true))
    } throws: { error in
      "\(error)".contains("data.csv:2:") && "\(error)".contains("revenue_sum_sq")
    }
  }
}

@Suite("Analysis plan from an experiment")
struct AnalysisPlanAdapterTests {
  @Test func theBundledExampleAdaptsWithItsPlannedSampleSize() throws {
    var root = URL(fileURLWithPath: #filePath)
    while !FileManager.default.fileExists(atPath: root.appendingPathComponent("Package.swift").path) {
      root.deleteLastPathComponent()
    }
    let definition = try ExperimentLoader.loadDefinition(
      contentsOf: root.appendingPathComponent("experiments/gym-renewal.yaml"))
    let experiment = definition.experiment
    let plan = AnalysisPlan(definition: definition)
    #expect(plan.id == experiment.id)
    #expect(plan.variants == experiment.variants.map(\.key))
    #expect(plan.control == experiment.control.key)
    #expect(plan.segments == experiment.segmentNames)
    #expect(plan.metrics.map(\.name) == definition.metrics.map(\.name))
    #expect(plan.unitColumn == experiment.unit)
    #expect(plan.looks == definition.plan.looks)
    let planned = try #require(try definition.plannedSampleSize())
    #expect(plan.plannedUnitsPerVariant == planned.perVariant)
    #expect(plan.segmentWeights.allSatisfy { $0.count == plan.variants.count && $0.allSatisfy { $0 > 0 } })
  }
}

@Suite("Data reader with one segment")
struct SingleSegmentReaderTests {
  @Test func aSegmentColumnIsIgnoredWhenThePlanHasOneSegment() throws {
    let plan = AnalysisPlan(
      id: "single", variants: ["a", "b"], segments: ["default"],
      metrics: [AnalysisPlan.Metric(name: "converted", kind: .binomial, missing: .zero)])
    let url = try DataReaderTests.file("unit_id,variant,segment,converted\nu1,a,north,1\nu2,b,south,0\nu3,b,,1\n")
    let summary = try DataReader.read(path: url.path, plan: plan)
    #expect(summary.rowsUsed == 3)
    #expect(summary.issues.total == 0)
    #expect(summary.statistics.units == [1, 2])
  }
}

@Suite("Data reader and broken quoting")
struct BadQuotingReaderTests {
  /// A row whose quoting is broken is counted as a bad row with its line, not analysed.
  @Test func rowsWithBrokenQuotingAreCountedNotUsed() throws {
    let plan = AnalysisPlan(
      id: "quoting", variants: ["a", "b"], segments: ["default"],
      metrics: [AnalysisPlan.Metric(name: "converted", kind: .binomial, missing: .zero)])
    let text = "unit_id,variant,converted\nu1,a,1\nu\"2,b,0\n\"u3\"x,b,1\nu4,b,1\n"
    let summary = try DataReader.read(path: try DataReaderTests.file(text).path, plan: plan)
    #expect(summary.rowsRead == 4)
    #expect(summary.rowsUsed == 2)
    #expect(summary.issues.entries[.badQuoting]?.firstLines == [3, 4])
    #expect(summary.statistics.units == [1, 1])
  }

  /// Under --strict a quote left open at the end of the file stops the read with one readable sentence.
  @Test func anUnclosedQuoteUnderStrictIsOneSentence() throws {
    let plan = AnalysisPlan(
      id: "quoting", variants: ["a", "b"], segments: ["default"],
      metrics: [AnalysisPlan.Metric(name: "converted", kind: .binomial, missing: .zero)])
    let url = try DataReaderTests.file("unit_id,variant,converted\nu1,a,1\n\"u2,b,0\n")
    #expect {
      _ = try DataReader.read(path: url.path, plan: plan, options: DataReadOptions(strict: true))
    } throws: { error in
      "\(error)".contains("data.csv:3:")
        && "\(error)".contains("has a quoted field that is not closed before the end of the file")
    }
  }

  /// A lone quote after the last line end opens a field it never closes, as `"M1` there does: the same bad-quoting
  /// issue on its line (an error under --strict), not a blank line; file and pipe, 1 and 2 threads, with and without
  /// the duplicate check (review H2).
  @Test(arguments: ["\"", "\"M1", "\"\"\"", "\r\""])
  func aLoneQuoteAtTheEndIsAnUnclosedQuote(ending: String) throws {
    let plan = AnalysisPlan(
      id: "quoting", variants: ["a", "b"], segments: ["default"],
      metrics: [AnalysisPlan.Metric(name: "converted", kind: .binomial, missing: .zero)])
    let rows = (0..<2000).map { "\"u\($0)\",\($0 % 2 == 0 ? "a" : "b"),\"\($0 % 3 == 0 ? 1 : 0)\"\n" }.joined()
    let text = "unit_id,variant,converted\n" + rows + ending
    let path = try DataReaderTests.file(text).path
    for check in [true, false] {
      for threads in [1, 2] {
        for piped in [false, true] {
          let context = "\(ending.debugDescription), check \(check), \(threads) threads, pipe \(piped)"
          var options = PipeChunksTests.options(chunkSize: 1000, threads: threads)
          options.checkDuplicates = check
          let summary =
            piped
            ? try PipeChunksTests.readPiped(text, plan: plan, options: options)
            : try DataReader.read(paths: [path], plan: plan, options: options)
          #expect(summary.rowsRead == 2001 && summary.rowsUsed == 2000, "\(context)")
          #expect(summary.issues.entries[.badQuoting]?.firstLines == [2002], "\(context)")
          options.strict = true
          #expect(throws: DataError.self, "\(context)") {
            _ =
              piped
              ? try PipeChunksTests.readPiped(text, plan: plan, options: options)
              : try DataReader.read(paths: [path], plan: plan, options: options)
          }
          do {
            _ = try DataReader.read(paths: [path], plan: plan, options: options)
          } catch {
            #expect(
              "\(error)".contains("data.csv:2002: row has a quoted field that is not closed"), "\(context): \(error)")
          }
        }
      }
    }
  }
}
