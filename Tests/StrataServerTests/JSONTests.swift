import StrataServer
import Testing

@Suite struct JSONTests {
  @Test func parsesAndWritesBack() throws {
    let text = #"{"a":1,"b":-2.5,"c":"x\"y\n\u00e9\ud83d\ude00","d":[true,false,null],"e":{}}"#
    let json = try JSON.parse(Array(text.utf8))
    #expect(json["a"] == .integer(1))
    #expect(json["b"] == .number(-2.5))
    #expect(json["c"] == .string("x\"y\né😀"))
    #expect(try JSON.parse(Array(json.serialized().utf8)) == json)
    #expect(JSON.string("\u{1}").serialized() == #""\u0001""#)
  }

  @Test(arguments: ["", "{", "[1,]", "01", "1.", "\"\\x\"", "{\"a\" 1}", "tru", "1 2", "\"\\ud800\"", "1e999"])
  func rejectsMalformedText(_ text: String) {
    #expect(throws: JSONParseError.self) { try JSON.parse(Array(text.utf8)) }
  }

  @Test func limitsNesting() {
    let deep = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
    #expect(throws: JSONParseError.self) { try JSON.parse(Array(deep.utf8)) }
  }
}
