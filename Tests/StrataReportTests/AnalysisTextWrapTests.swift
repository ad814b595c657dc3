import Foundation
import StrataAnalysis
import Testing

@testable import StrataReport

/// The terminal output's prose broken at a terminal's width (`AnalysisText.render(_:width:)`): the decision's lines
/// of 300-500 characters ran past the screen's edge and the terminal wrapped them mid-word.
@Suite("Terminal output wrapped at a width")
struct AnalysisTextWrapTests {
  @Test("without a width the text is as it always was; with one, prose is broken at spaces and tables are kept")
  func proseWrapsTablesStay() throws {
    // A clear winner: "Works best in …" is a bullet of about 300 characters.
    let analysis = try NoSegmentStandsOutTests.analysis(lifts: [0.00, 0.02, 0.12, 0.04])
    let plain = AnalysisText.render(analysis)
    #expect(plain == AnalysisText.lines(analysis).joined(separator: "\n"))
    #expect(AnalysisText.render(analysis, width: 100_000) == plain)
    let entries = AnalysisText.lines(analysis)
    #expect(entries.contains { !$0.contains("\n") && $0.count > 300 }, "no long prose line to wrap")
    let width = 72
    let wrapped = AnalysisText.render(analysis, width: width)
    #expect(wrapped != plain)
    for entry in entries where !entry.isEmpty {
      if entry.contains("\n") {
        #expect(wrapped.contains(entry), "a table changed: \(entry.prefix(60))")
        continue
      }
      let lines = AnalysisText.wrapped(entry, width: width).components(separatedBy: "\n")
      #expect(wrapped.contains(lines.joined(separator: "\n")), "\(entry.prefix(60))")
      for line in lines where line.count > width {
        #expect(!line.trimmingCharacters(in: .whitespaces).contains(" "), "\(line)")
      }
      // Continuation lines indented two more than the text: joined back they are the line.
      let leading = entry.prefix { $0 == " " }.count
      let rest = lines.dropFirst().map { line -> String in
        #expect(line.hasPrefix(String(repeating: " ", count: leading + 2)), "\(line)")
        return String(line.dropFirst(leading + 2))
      }
      #expect(([lines[0]] + rest).joined(separator: " ") == entry)
    }
  }

  @Test func wrappedBreaksAtSpacesWithIndents() {
    #expect(AnalysisText.wrapped("short line", width: 72) == "short line")
    let words = Array(repeating: "word", count: 20).joined(separator: " ")  // 99 characters
    #expect(AnalysisText.wrapped(words, width: 44).components(separatedBy: "\n").map(\.count) == [44, 41, 16])
    #expect(AnalysisText.wrapped("  - " + words, width: 44).hasPrefix("  - word word"))
    #expect(AnalysisText.wrapped("  - " + words, width: 44).components(separatedBy: "\n")[1].hasPrefix("    word"))
    // A word longer than the width stays whole; a narrow width is taken as 40.
    let long = String(repeating: "x", count: 50)
    #expect(AnalysisText.wrapped("a \(long) b", width: 44) == "a\n  \(long)\n  b")
    #expect(AnalysisText.wrapped(words, width: 10) == AnalysisText.wrapped(words, width: 40))
    // Two spaces where the line breaks: the next line at its indent.
    let spaced = Array(repeating: "word", count: 8).joined(separator: " ") + "  " + words
    #expect(AnalysisText.wrapped(spaced, width: 40).components(separatedBy: "\n")[1].hasPrefix("  word"))
    #expect(
      !AnalysisText.wrapped(spaced, width: 40).contains("\n   ")
        && !AnalysisText.wrapped(spaced, width: 40).contains(" \n"))
  }
}
