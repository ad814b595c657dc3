import StrataReport
import Testing

@Suite("JSON output")
struct JSONValueTests {
  @Test("tiny p-values keep full precision, non-finite numbers become null, keys keep their order")
  func formatting() {
    let value = JSONValue.object([
      ("p_value", .number(8.089055620722685e-207)), ("df", .number(2)), ("ratio", .finite(.infinity)),
      ("name", .string("a\"b\n")),
    ])
    #expect(
      value.serialized(pretty: false) == #"{"p_value":8.089055620722685e-207,"df":2,"ratio":null,"name":"a\"b\n"}"#)
  }
}
