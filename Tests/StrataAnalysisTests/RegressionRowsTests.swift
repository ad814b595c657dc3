import Foundation
import Synchronization
import StrataDefinitions
import StrataStats
import StrataTestSupport
import Testing

@testable import StrataAnalysis

/// The unit rows kept for metrics with `covariates:` (Lin's regression) and the count of values filled with 0:
/// the same for any number of threads and chunk size, one file or several, and refused or explained when the
/// data cannot give them.
@Suite("Regression rows and zero-filled counts")
struct RegressionRowsTests {
  static let data = packageRootURL().appendingPathComponent(
    "Tests/StrataAnalysisTests/Fixtures/lin_analyze/lin-renewal.csv"
  ).path

  static func plan(missing: Metric.MissingValuePolicy = .zero) -> AnalysisPlan {
    AnalysisPlan(
      id: "lin-renewal", variants: ["control", "reminder", "coach"], segments: ["north", "south"],
      metrics: [
        Metric(
          name: "spend", kind: .continuous,
          regression: .init(columns: ["visits_before", "spend_before"], missing: missing, errors: .hc3)),
        Metric(
          name: "renewed", kind: .binomial, role: .secondary,
          regression: .init(columns: ["visits_before", "spend_before"], missing: missing)),
      ])
  }

  static func read(_ paths: [String], chunkSize: Int, threads: Int) throws -> DataSummary {
    var options = DataReadOptions(threads: threads)
    options.chunkSize = chunkSize
    options.keepsRegressionRows = true
    return try DataReader.read(paths: paths, plan: plan(), options: options)
  }

  @Test func threadsAndChunksDoNotChangeTheRows() throws {
    let whole = try Self.read([Self.data], chunkSize: 1 << 23, threads: 1)
    let rows = try #require(whole.regressionRows)
    #expect(rows.metrics == [0, 1] && rows.available)
    // Every unit with a spend value is a row (the covariates' missing: zero leaves none incomplete).
    let plan = Self.plan()
    let spend = plan.columnIndices(metric: 0)[0]
    for variant in plan.variants.indices {
      for segment in plan.segments.indices {
        let cell = variant * plan.segments.count + segment
        #expect(
          Double(rows.outcomes[0][cell].count)
            == whole.statistics.metric(spend, variant: variant, segment: segment).count)
        #expect(rows.covariates[0][cell].count == 2 * rows.outcomes[0][cell].count)
        #expect(rows.incomplete[0][cell] == 0)
      }
    }
    let visits = plan.columnIndices(metric: 0)[1]
    #expect(plan.variants.indices.map { whole.statistics.metric(visits, variant: $0).zeroFilled } == [12, 12, 23])
    // The chunk size moves the moments' last digits (chunks merge by Chan's update), never the rows or counts; for
    // one chunk size the number of threads changes nothing.
    for chunkSize in [4096, 977] {
      let one = try Self.read([Self.data], chunkSize: chunkSize, threads: 1)
      #expect(one.regressionRows == whole.regressionRows, "chunk size \(chunkSize)")
      #expect(one.statistics.metrics.map(\.zeroFilled) == whole.statistics.metrics.map(\.zeroFilled))
      for threads in [2, 3] {
        #expect(try Self.read([Self.data], chunkSize: chunkSize, threads: threads) == one, "\(chunkSize), \(threads)")
      }
    }
  }

  @Test func twoFilesAppendInOrder() throws {
    let text = try String(contentsOfFile: Self.data, encoding: .utf8)
    var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    let header = lines.removeFirst()
    let half = lines.count / 2
    let first = try CellSourcesTests.write(([header] + lines[..<half]).joined(separator: "\n") + "\n", name: "a.csv")
    let second = try CellSourcesTests.write(([header] + lines[half...]).joined(separator: "\n"), name: "b.csv")
    let parts = try Self.read([first, second], chunkSize: 1 << 23, threads: 1)
    let whole = try Self.read([Self.data], chunkSize: 1 << 23, threads: 1)
    #expect(parts.regressionRows == whole.regressionRows)
    #expect(parts.statistics.metrics.map(\.zeroFilled) == whole.statistics.metrics.map(\.zeroFilled))
  }

  @Test func cellsWithoutRowsAreRefusedNamingTheMetric() throws {
    let plan = Self.plan()
    let whole = try DataReader.read(path: Self.data, plan: plan)
    let cells = DataSummary(cells: whole.statistics, source: "a query")
    #expect(cells.regressionRows == nil)
    let error = try #require(throws: StatsError.self) { try Analyzer(plan: plan).analyze(cells) }
    #expect("\(error)".contains("metrics[0] (spend).covariates") && "\(error)".contains("needs unit-level rows"))
    // The same cells' zero-filled counts are unknown there: null in JSON, nothing in the report sentence.
    #expect(cells.missingValues(plan: plan).first { $0.column == "visits_before" }?.units == nil)
    #expect(whole.missingValues(plan: plan).first { $0.column == "visits_before" }?.units == 47)
  }

  @Test func aMissingCovariateUnderExcludeStopsWithTheRemedy() throws {
    let plan = Self.plan(missing: .exclude)
    let error = try #require(throws: StatsError.self) {
      try Analyzer(plan: plan).analyze(DataReader.read(path: Self.data, plan: plan))
    }
    let text = "\(error)"
    #expect(text.contains("metrics[0] (spend)") && text.contains("not of every column in covariates:"), "\(text)")
    #expect(text.contains("covariates: {columns: [...], missing: zero}"), "\(text)")
  }

  /// Reading a regular file twice (each cell's moments, then the units' HC sums under the fits) gives the analysis of
  /// the kept rows, for any number of threads and chunk size, and keeps no row.
  @Test(arguments: [(1 << 23, 1), (4096, 3)])
  func twoReadsGiveTheKeptRowsAnalysis(_ chunkSize: Int, _ threads: Int) throws {
    let plan = Self.plan()
    let kept = try Analyzer(plan: plan).analyze(Self.read([Self.data], chunkSize: 1 << 23, threads: 1))
    var options = DataReadOptions(threads: threads)
    options.chunkSize = chunkSize
    let data = try DataReader.read(paths: [Self.data], plan: plan, options: options)
    #expect(data.regressionRows == nil)
    let cells = try #require(data.regressionCells)
    #expect(data.regressionSums != nil)
    #expect(cells.cells.allSatisfy { $0.allSatisfy { $0.incomplete == 0 } })
    let twice = try Analyzer(plan: plan).analyze(data)
    let pairs = zip(
      kept.metrics.flatMap(\.comparisons), twice.metrics.flatMap(\.comparisons))
    var compared = 0
    for (a, b) in pairs {
      #expect(a.test == b.test && a.segment == b.segment && a.treatment == b.treatment)
      #expect(isClose(a.absoluteLift, b.absoluteLift, relativeTolerance: 1e-12), "\(a.absoluteLift) \(b.absoluteLift)")
      let (x, y) = (try #require(a.absoluteInterval), try #require(b.absoluteInterval))
      #expect(
        isClose(x.lower, y.lower, relativeTolerance: 1e-12) && isClose(x.upper, y.upper, relativeTolerance: 1e-12))
      #expect(isClose(a.pValue ?? .nan, b.pValue ?? .nan, relativeTolerance: 1e-9))
      compared += 1
    }
    #expect(compared == 12)
  }

  /// The kept rows (a pipe's) go through Lin's two passes as the file read twice does: within one chunk the same cell
  /// moments and sums to the last bit, so the analysis is the same too; the rows stay only when the options ask.
  @Test func keptRowsGiveTheCellsAndSumsOfTheFileReadTwice() throws {
    let plan = Self.plan()
    let kept = try Self.read([Self.data], chunkSize: 1 << 23, threads: 1)
    let twice = try DataReader.read(paths: [Self.data], plan: plan, options: DataReadOptions(threads: 1))
    #expect(kept.regressionRows != nil && twice.regressionRows == nil)
    #expect(kept.regressionCells != nil && kept.regressionCells == twice.regressionCells)
    #expect(kept.regressionSums != nil && kept.regressionSums == twice.regressionSums)
    let comparisons = try [kept, twice].map { try Analyzer(plan: plan).analyze($0).metrics.flatMap(\.comparisons) }
    #expect(comparisons[0].count == 12 && comparisons[0] == comparisons[1])
  }

  /// A unit with leverage 1 (the only one of its arm at its covariate value) makes HC3 undefined: the kept rows and the
  /// file read twice (whose sums mark that arm NaN, as the second SQL query's do) give no test, with the same note.
  @Test func aUnitWithLeverageOneIsNamedFromTheRowsAndFromTheSums() throws {
    let plan = AnalysisPlan(
      id: "lev", variants: ["control", "treatment"], segments: ["all"],
      metrics: [
        Metric(
          name: "spend", kind: .continuous, regression: .init(columns: ["spend_before"], missing: .zero, errors: .hc3))
      ])
    var lines = ["unit_id,variant,segment,spend,spend_before"]
    for unit in 0..<40 {
      let control = unit % 2 == 0
      let before = control ? (unit == 0 ? 5 : 0) : unit % 5  // unit 0 alone at 5 in the control arm
      lines.append("u\(unit),\(control ? "control" : "treatment"),all,\(Double(unit % 7) + 1.5),\(before)")
    }
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("strata-leverage-\(UUID()).csv")
    defer { try? FileManager.default.removeItem(at: file) }
    try (lines.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
    for keepsRows in [true, false] {
      var options = DataReadOptions()
      options.keepsRegressionRows = keepsRows
      let data = try DataReader.read(paths: [file.path], plan: plan, options: options)
      #expect((data.regressionRows != nil) == keepsRows)
      let comparisons = try Analyzer(plan: plan).analyze(data).metrics[0].comparisons
      #expect(comparisons.count == 2)
      for comparison in comparisons {
        #expect(comparison.test == nil)
        let note = "a unit of arm 0 has leverage 1, so its HC3 weight is undefined"
        #expect(comparison.notes.contains { $0.contains(note) }, "\(comparison.notes)")
      }
    }
  }

  /// A file Lin's regression reads twice draws one progress bar over both reads: from 0 to twice its size, never
  /// going back (the first read fills the first half, the second the rest).
  @Test func oneProgressBarOverBothReads() throws {
    let size = try #require(try FileManager.default.attributesOfItem(atPath: Self.data)[.size] as? Int)
    let seen = Mutex<[[Int]]>([])
    var options = DataReadOptions(threads: 1)
    options.chunkSize = 4096
    options.progress = { bytes, total in seen.withLock { $0.append([bytes, total]) } }
    let data = try DataReader.read(paths: [Self.data], plan: Self.plan(), options: options)
    #expect(data.regressionSums != nil)
    let calls = seen.withLock { $0 }
    #expect(calls.allSatisfy { $0[1] == 2 * size }, "\(calls)")
    #expect(zip(calls, calls.dropFirst()).allSatisfy { $0[0] <= $1[0] }, "\(calls)")
    #expect(calls.contains { $0[0] <= size } && calls.last?[0] == 2 * size, "\(calls)")
  }

  /// Several files draw one progress bar over all of them and, with Lin's regression, both reads: from 0 to the files'
  /// sizes added (twice that when read twice), never going back, each file's bytes after those of the files and reads
  /// before it.
  @Test func oneProgressBarOverSeveralFilesAndBothReads() throws {
    let lines = try String(contentsOfFile: Self.data, encoding: .utf8).split(separator: "\n")
    let half = lines.count / 2
    let directory = try makeTemporaryDirectory("strata-lin")
    defer { try? FileManager.default.removeItem(at: directory) }
    var paths: [String] = []
    for (index, rows) in [lines[1..<half], lines[half...]].enumerated() {
      let path = directory.appendingPathComponent("part\(index).csv").path
      try ([lines[0]] + rows).joined(separator: "\n").appending("\n").write(
        toFile: path, atomically: true, encoding: .utf8)
      paths.append(path)
    }
    let sizes = try paths.map { try #require(try FileManager.default.attributesOfItem(atPath: $0)[.size] as? Int) }
    let size = sizes[0] + sizes[1]
    let once = AnalysisPlan(
      id: "lin-renewal", variants: ["control", "reminder", "coach"], segments: ["north", "south"],
      metrics: [Metric(name: "spend", kind: .continuous), Metric(name: "renewed", kind: .binomial, role: .secondary)])
    for (plan, reads) in [(Self.plan(), 2), (once, 1)] {
      for threads in [1, 2] {
        let seen = Mutex<[[Int]]>([])
        var options = DataReadOptions(threads: threads)
        options.chunkSize = 4096
        options.progress = { bytes, total in seen.withLock { $0.append([bytes, total]) } }
        let data = try DataReader.read(paths: paths, plan: plan, options: options)
        #expect((data.regressionSums != nil) == (reads == 2))
        let calls = seen.withLock { $0 }
        let label = "\(reads) reads, \(threads) threads: \(calls)"
        #expect(calls.allSatisfy { $0[1] == reads * size }, "\(label)")
        #expect(zip(calls, calls.dropFirst()).allSatisfy { $0[0] <= $1[0] }, "\(label)")
        #expect(calls.first.map { $0[0] >= 0 && $0[0] <= sizes[0] } == true, "\(label)")
        // Each file's end, in each read, at the bytes of everything read up to there.
        let ends = (0..<reads).flatMap { [$0 * size + sizes[0], ($0 + 1) * size] }
        #expect(ends.allSatisfy { end in calls.contains { $0[0] == end } }, "\(label)")
        #expect(calls.last?[0] == reads * size, "\(label)")
      }
    }
  }

  /// A file whose modification time changes while it is read twice is refused with a sentence naming it.
  @Test func aFileChangedBetweenTheReadsIsRefused() throws {
    let copy = FileManager.default.temporaryDirectory.appendingPathComponent("strata-lin-\(UUID()).csv")
    defer { try? FileManager.default.removeItem(at: copy) }
    try FileManager.default.copyItem(atPath: Self.data, toPath: copy.path)
    let path = copy.path
    var options = DataReadOptions()
    options.progress = { _, _ in
      // Touch the file as another process appending to it would.
      try? FileManager.default.setAttributes(
        [.modificationDate: Date(timeIntervalSinceNow: 3600)], ofItemAtPath: path)
    }
    let error = try #require(throws: DataError.self) {
      try DataReader.read(paths: [path], plan: Self.plan(), options: options)
    }
    #expect(error.file == path)
    #expect(error.message.contains("changed while it was read"), "\(error)")
  }
}
