import Testing

@testable import StrataWarehouse

/// `QueryResult(csv:source:)`: a saved result read back (`strata analyze --regression-sums`).
@Suite("QueryResult from CSV")
struct QueryResultCSVTests {
  @Test func quotesLineEndsAndEmptyFields() throws {
    let text = "variant,segment,n\r\n\"a, \"\"b\"\"\",north,3\r\ncontrol,,\n\n"
    let result = try QueryResult(csv: text, source: "sums.csv")
    #expect(result.columns == ["variant", "segment", "n"])
    #expect(result.rows.count == 2)
    #expect(result.rows[0] == [.text("a, \"b\""), .text("north"), .text("3")])
    #expect(result.rows[1] == [.text("control"), .null, .null])
    #expect(result.rows[0][2].number == 3)
  }

  @Test func aQuotedFieldMayHoldALineEnd() throws {
    let result = try QueryResult(csv: "a,b\n\"x\ny\",1", source: "f.csv")
    #expect(result.rows == [[.text("x\ny"), .text("1")]])
  }

  @Test func badShapesNameTheLine() throws {
    let short = try #require(throws: WarehouseError.self) { try QueryResult(csv: "a,b\n1,2\n3\n", source: "f.csv") }
    #expect(short.message == "f.csv:3: the line has 1 fields, the header 2")
    let open = try #require(throws: WarehouseError.self) { try QueryResult(csv: "a\n\"x\n", source: "f.csv") }
    #expect(open.message == "f.csv:2: a quoted field is not closed")
    let empty = try #require(throws: WarehouseError.self) { try QueryResult(csv: "", source: "f.csv") }
    #expect(empty.message == "f.csv is empty: expected a header line")
  }
}

/// A result saved by `csv` and read back by `init(csv:source:)`, with the fields that `Character`s split wrongly:
/// a quote or comma followed by a combining mark, CR LF inside a field.
@Suite("QueryResult CSV round trip")
struct QueryResultCSVRoundTripTests {
  @Test func oddTextsComeBackAsWritten() throws {
    let texts = [
      "a\"\u{301}b", "x,\u{301}y", "line\r\nend", "\"\u{301}", "plain", "\u{301}\"", "a\"\"b", "cr\ronly", "é,\"",
    ]
    let result = QueryResult(columns: ["name", "n"], rows: texts.map { [.text($0), .text("1")] })
    let back = try QueryResult(csv: result.csv, source: "sums.csv")
    #expect(back.columns == ["name", "n"])
    #expect(back.rows == result.rows)
  }

  @Test func crLFBetweenRecordsCountsOneLine() throws {
    let error = try #require(throws: WarehouseError.self) {
      try QueryResult(csv: "a,b\r\n1,2\r\n\"x\"\u{301},3\r\n4\r\n", source: "f.csv")
    }
    #expect(error.message == "f.csv:4: the line has 1 fields, the header 2")
  }
}
