import Foundation
import StrataTestSupport
import Testing

@testable import StrataAnalysis

#if canImport(Glibc)
  import Glibc
#endif

/// The per-row path of the unit-level reader: each row's values (present, blank, with spaces, bad) reach the cells as
/// the same values added one at a time in file order would, for any number of value columns, and a bad value names
/// its line and column.
@Suite("Unit-level row values")
struct RowValuesTests {
  /// `count` continuous metrics (missing: exclude, then zero, alternating) after one binomial (missing: zero).
  static func plan(continuous count: Int) -> AnalysisPlan {
    AnalysisPlan(
      id: "values", variants: ["control", "treatment"], segments: ["a", "b"],
      metrics: [AnalysisPlan.Metric(name: "converted", kind: .binomial, role: .primary, missing: .zero)]
        + (0..<count).map {
          AnalysisPlan.Metric(
            name: "m\($0)", kind: .continuous, role: .secondary, missing: $0 % 2 == 0 ? .exclude : .zero)
        })
  }

  /// Rows with present values, blank fields, fields of spaces and values with spaces around them; and the cells
  /// those rows must give, built by adding each value to a fresh `ColumnMoments` in row order.
  static func rows(continuous count: Int, rows: Int, seed: UInt64) -> (text: String, expected: SufficientStatistics) {
    let plan = plan(continuous: count)
    var expected = SufficientStatistics(plan: plan)
    var random = SplitMix64(seed: seed)
    var text = "unit_id,variant,segment,converted" + (0..<count).map { ",m\($0)" }.joined() + "\n"
    for row in 0..<rows {
      let variant = Int.random(in: 0..<2, using: &random)
      let segment = Int.random(in: 0..<2, using: &random)
      let cell = variant * 2 + segment
      expected.units[cell] += 1
      var fields = ["u\(row)", ["control", "treatment"][variant], ["a", "b"][segment]]
      for metric in 0...count {
        let roll = Int.random(in: 0..<10, using: &random)
        let missingIsZero = metric == 0 || (metric - 1) % 2 == 1
        let index = cell * (count + 1) + metric
        if roll < 2 {
          fields.append(roll == 0 ? "" : "  ")
          if missingIsZero {
            expected.metrics[index].add(0)
            expected.metrics[index].zeroFilled += 1
          } else {
            expected.metrics[index].missing += 1
          }
          continue
        }
        let value =
          metric == 0
          ? Double(Int.random(in: 0...1, using: &random)) : Double(Int.random(in: -500...5000, using: &random)) / 100
        fields.append(roll == 2 ? " \(value) " : "\(value)")
        expected.metrics[index].add(value)
      }
      text += fields.joined(separator: ",") + "\n"
    }
    return (text, expected)
  }

  @Test(arguments: [1, 7, 8, 12])
  func valuesReachTheCellsAsIfAddedOneByOne(continuous count: Int) throws {
    let (text, expected) = Self.rows(continuous: count, rows: 600, seed: UInt64(count))
    let path = try CellSourcesTests.write(text)
    for checkDuplicates in [false, true] {
      let summary = try DataReader.read(
        paths: [path], plan: Self.plan(continuous: count), options: DataReadOptions(checkDuplicates: checkDuplicates))
      #expect(summary.rowsUsed == 600 && summary.issues.total == 0)
      // Bit for bit: the same values added in the same order.
      #expect(summary.statistics == expected, "\(count) continuous metrics, duplicate check \(checkDuplicates)")
    }
  }

  /// The rows that wait in the reader's batch (the duplicate check of the sequential reader, which reads a pipe) are
  /// added as the rows added at once are.
  @Test func batchedRowsGiveTheSameCells() throws {
    let (text, expected) = Self.rows(continuous: 9, rows: 700, seed: 11)
    let piped = try DataReader.read(paths: [try PipeChunksTests.fifo(text)], plan: Self.plan(continuous: 9))
    #expect(piped.duplicatesChecked && piped.rowsUsed == 700)
    #expect(piped.statistics == expected)
  }

  /// The co-moments of declared pairs of value columns (a ratio's numerator × denominator, a metric × its covariate)
  /// are each pair's values added one row at a time in file order, on the rows where both are present (a blank
  /// counted as 0 is present), read directly, from the batch of a pipe and with more than 8 value columns.
  @Test(arguments: [2, 7, 8, 12])
  func pairsReachTheCellsAsIfAddedOneByOne(continuous count: Int) throws {
    var plan = Self.plan(continuous: count)
    let pairs = [(0, 1), (1, count), (count, 1), (2, 2)]
    plan.crossProducts = pairs.map { AnalysisPlan.CrossProduct(first: $0.0, second: $0.1) }
    let (text, cells) = Self.rows(continuous: count, rows: 900, seed: UInt64(40 + count))
    var expected = SufficientStatistics(plan: plan)
    expected.units = cells.units
    expected.metrics = cells.metrics
    // Each row's values as the file says them (blank or spaces: 0 where missing counts as 0, else absent).
    var cellRows = [Int](repeating: 0, count: 4)
    for line in text.split(separator: "\n").dropFirst() {
      let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
      let cell = (fields[1] == "control" ? 0 : 2) + (fields[2] == "a" ? 0 : 1)
      cellRows[cell] += 1
      let values = (0...count).map { metric -> Double? in
        let field = fields[3 + metric].trimmingCharacters(in: .whitespaces)
        if field.isEmpty { return metric == 0 || (metric - 1) % 2 == 1 ? 0 : nil }
        return Double(field)
      }
      for (index, pair) in pairs.enumerated() {
        guard let a = values[pair.0], let b = values[pair.1] else { continue }
        expected.pairs[cell * pairs.count + index].add(a, b)
      }
    }
    // Some pair lacks a value on some of its cell's rows (and has it on others).
    #expect(cellRows.reduce(0, +) == 900)
    #expect(
      expected.pairs.indices.contains { index in
        (1..<cellRows[index / pairs.count]).contains(Int(expected.pairs[index].count))
      })
    let path = try CellSourcesTests.write(text)
    for checkDuplicates in [false, true] {
      let summary = try DataReader.read(
        paths: [path], plan: plan, options: DataReadOptions(checkDuplicates: checkDuplicates))
      #expect(summary.rowsUsed == 900)
      #expect(summary.statistics == expected, "\(count) continuous metrics, duplicate check \(checkDuplicates)")
    }
    let piped = try DataReader.read(paths: [try PipeChunksTests.fifo(text)], plan: plan)
    #expect(piped.duplicatesChecked && piped.statistics == expected, "\(count) continuous metrics, piped")
  }

  @Test func aBadValueIsNamedWithItsLineAndColumn() throws {
    let plan = Self.plan(continuous: 10)
    let header = "unit_id,variant,segment,converted" + (0..<10).map { ",m\($0)" }.joined()
    let good = (0..<10).map { ",\($0)" }.joined()
    let text = """
      \(header)
      u1,control,a,1\(good)
      u2,control,a,2\(good)
      u3,treatment,b,0\(good.dropLast(2)),x9
      u4,treatment,b, \(good)

      """
    let path = try CellSourcesTests.write(text)
    let summary = try DataReader.read(paths: [path], plan: plan)
    #expect(summary.rowsUsed == 2)
    #expect(summary.issues.entries[.badNumber]?.firstLines == [3, 4])
    #expect(summary.statistics.metric(0, variant: 1, segment: 1).zeroFilled == 1)
    #expect {
      _ = try DataReader.read(paths: [path], plan: plan, options: DataReadOptions(strict: true))
    } throws: { error in
      "\(error)".contains("data.csv:3:") && "\(error)".contains("\"2\"") && "\(error)".contains("converted")
    }
    let later = text.replacingOccurrences(of: "u2,control,a,2", with: "u2,control,a,1")
    #expect {
      _ = try DataReader.read(
        paths: [try CellSourcesTests.write(later)], plan: plan, options: DataReadOptions(strict: true))
    } throws: { error in
      "\(error)".contains("data.csv:4:") && "\(error)".contains("\"x9\"") && "\(error)".contains("\"m9\"")
    }
  }
}
