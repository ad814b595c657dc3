import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import StrataTestSupport
import Testing

@testable import StrataServer

/// The evaluation path's shortcuts, each checked against the plain form it replaced.
///
/// The bulk ETag derived without evaluating, `If-None-Match` read without Foundation, header values read in place,
/// and the parser's fast paths.
@Suite struct RequestPathTests {
  static let etag = "\"" + String(repeating: "ab", count: 32) + "\""

  static let conditions: [(String, Bool)] = [
    (etag, true), ("W/" + etag, true), ("*", true), (" \t" + etag + " \t", true),
    ("\"other\", " + etag, true), ("\"other\",W/" + etag + ",\"third\"", true), ("\"other\" , *", true),
    ("", false), (",", false), ("\"other\"", false), (String(etag.dropLast()), false), (etag + "x", false),
    ("w/" + etag, false), ("**", false), ("W/", false), ("\"" + String(repeating: "ab", count: 32), false),
  ]

  @Test(arguments: RequestPathTests.conditions)
  func ifNoneMatchIsReadAsRFC9110Says(_ condition: String, _ expected: Bool) {
    #expect(OFREPRequest.matches(condition, etag: RequestPathTests.etag) == expected)
    // The same reading spelled out with the standard library (the form this replaced).
    let plain = condition.split(separator: ",").contains { candidate in
      var tag = Substring(candidate.drop { $0 == " " || $0 == "\t" })
      while let last = tag.last, last == " " || last == "\t" { tag.removeLast() }
      if tag == "*" { return true }
      if tag.hasPrefix("W/") { tag.removeFirst(2) }
      return tag == RequestPathTests.etag
    }
    #expect(plain == expected)
  }

  @Test func bulkETagIsTheSHA256OfCatalogConsentAndContext() {
    let context = Array(#"{"targetingKey":"M-1","region":"eu"}"#.utf8)
    let catalog = String(repeating: "0f", count: 32)
    for refused in [false, true] {
      let expected = "\"" + Catalog.sha256(Array(catalog.utf8) + [0, refused ? 1 : 0] + context) + "\""
      #expect(OFREPRequest.bulkETag(catalog: catalog, refused: refused, context: context) == expected)
    }
    let base = OFREPRequest.bulkETag(catalog: catalog, refused: false, context: context)
    #expect(base.utf8.count == 66 && base.hasPrefix("\"") && base.hasSuffix("\""))
    #expect(OFREPRequest.bulkETag(catalog: catalog, refused: true, context: context) != base)
    #expect(
      OFREPRequest.bulkETag(catalog: String(repeating: "1f", count: 32), refused: false, context: context) != base)
    #expect(
      OFREPRequest.bulkETag(catalog: catalog, refused: false, context: context.dropLast() + [0x20, 0x7D]) != base)
  }

  @Test func repeatedFieldsAreJoinedAsTheSubscriptJoinsThem() {
    var fields = HTTPFields()
    #expect(fields.value(of: .ifNoneMatch) == nil)
    fields.append(HTTPField(name: .ifNoneMatch, value: "\"a\""))
    #expect(fields.value(of: .ifNoneMatch) == fields[.ifNoneMatch])
    fields.append(HTTPField(name: .contentType, value: "application/json"))
    fields.append(HTTPField(name: .ifNoneMatch, value: "W/\"b\""))
    #expect(fields.value(of: .ifNoneMatch) == "\"a\", W/\"b\"")
    #expect(fields.value(of: .ifNoneMatch) == fields[.ifNoneMatch])
  }

  /// A 304 is answered only for the ETag of the same answer: equal contexts however spaced, not another context,
  /// not after a definition changed, and an `If-None-Match` given in two fields still matches.
  @Test func bulkRevalidationFollowsTheAnswer() async throws {
    let harness = try TestService()
    defer { harness.remove() }
    let path = "/ofrep/v1/evaluate/flags"
    try await harness.test { client in
      func post(_ text: String, _ conditions: [String] = []) async throws -> TestResponse {
        var headers = jsonHeaders
        for condition in conditions { headers.append(HTTPField(name: .ifNoneMatch, value: condition)) }
        return try await client.execute(uri: path, method: .post, headers: headers, body: body(text))
      }
      let first = try await post(#"{"context":{"targetingKey":"M-7","region":"eu","tenure_months":5}}"#)
      #expect(first.status == .ok)
      let etag = try #require(first.headers[.eTag])
      let spaced = try await post(#"{ "context" : { "targetingKey" : "M-7", "region" : "eu", "tenure_months" : 5 } }"#)
      #expect(spaced.headers[.eTag] == etag, "the ETag covers the context's content, not its spacing")
      #expect(try spaced.body.json == first.body.json)
      let again = try await post(#"{"context":{"targetingKey":"M-7","region":"eu","tenure_months":5}}"#, [etag])
      #expect(again.status == .notModified && again.headers[.eTag] == etag)
      let split = try await post(
        #"{"context":{"targetingKey":"M-7","region":"eu","tenure_months":5}}"#, ["\"nothing\"", "W/" + etag])
      #expect(split.status == .notModified)
      // The same fields on the 304 as before the short way: the ETag, and nothing else of the answer's.
      #expect(Set(again.headers.map(\.name)) == Set(split.headers.map(\.name)))
      #expect(again.headers[.contentType] == nil && again.headers[.vary] == nil && again.headers[.cacheControl] == nil)
      #expect(again.body.readableBytes == 0)
      // A context the short way declines (a fraction, an escape) revalidates through the general path.
      for text in [
        #"{"context":{"targetingKey":"M-7","score":1.5}}"#, #"{"context":{"targetingKey":"M-7","city":"K\u00f6ln"}}"#,
      ] {
        #expect(OFREPRequest.revalidation(ByteBuffer(string: text)) == nil)
        let answer = try await post(text)
        let tag = try #require(answer.headers[.eTag])
        let revalidated = try await post(text, [tag])
        #expect(revalidated.status == .notModified && revalidated.headers[.eTag] == tag, "\(text)")
      }
      let other = try await post(#"{"context":{"targetingKey":"M-7","region":"us","tenure_months":5}}"#, [etag])
      #expect(other.status == .ok && other.headers[.eTag] != etag)
      // A stale ETag gets the same 200 as no ETag: the same body and the same ETag.
      let fresh = try await post(#"{"context":{"targetingKey":"M-7","region":"us","tenure_months":5}}"#)
      #expect(other.headers[.eTag] == fresh.headers[.eTag])
      #expect(try other.body.json == fresh.body.json)
      let file = harness.experiments.appendingPathComponent("cta-text.yaml")
      try "id: cta-text\nvariants: [renew_now, keep_training, join_class]\n".write(
        to: file, atomically: true, encoding: .utf8)
      await harness.service.reloadIfChanged()
      let reloaded = try await post(#"{"context":{"targetingKey":"M-7","region":"eu","tenure_months":5}}"#, [etag])
      #expect(reloaded.status == .ok, "a changed definition changes every bulk answer's ETag")
      #expect(reloaded.headers[.eTag] != etag)
    }
  }

  @Test func parserFastPathsReadWhatTheGeneralPathsRead() throws {
    let text = #"{"ascii":"M-1001","accent":"café ☕","escaped":"a\tb","empty":"","t":true,"f":false,"n":null}"#
    let json = try JSON.parse(Array(text.utf8))
    #expect(json["ascii"] == .string("M-1001"))
    #expect(json["accent"] == .string("café ☕"))
    #expect(json["escaped"] == .string("a\tb"))
    #expect(json["empty"] == .string(""))
    #expect(json["t"] == .bool(true) && json["f"] == .bool(false) && json["n"] == .null)
    for (number, expected) in [
      ("0", JSON.integer(0)), ("-0", .integer(0)), ("14", .integer(14)), ("-7", .integer(-7)),
      ("123456789012345678", .integer(123_456_789_012_345_678)),
      ("-123456789012345678", .integer(-123_456_789_012_345_678)),
      ("9223372036854775807", .integer(Int.max)), ("-9223372036854775808", .integer(Int.min)),
      ("9223372036854775808", .number(9_223_372_036_854_775_808)), ("14.0", .number(14)), ("1e2", .number(100)),
    ] {
      #expect(try JSON.parse(Array(number.utf8)) == expected, "\(number)")
    }
    // Invalid UTF-8 in a string, raw or after an escape, is refused on both paths.
    for bytes: [UInt8] in [[0x22, 0xC3, 0x28, 0x22], [0x22, 0x5C, 0x6E, 0xFF, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22]] {
      #expect(throws: JSONParseError.self) { try JSON.parse(bytes) }
    }
    #expect(throws: JSONParseError.self) { try JSON.parse(Array("\"a\u{1}b\"".utf8)) }
    #expect(throws: JSONParseError.self) { try JSON.parse(Array("\"abc".utf8)) }
    #expect(throws: JSONParseError.self) { try JSON.parse(Array("[nul]".utf8)) }
    #expect(JSON.string("café \"☕\"\n").serialized() == #""café \"☕\"\n""#)
  }

  /// The revalidation's short way reads the same unit and the same compact context as the general path (the tree,
  /// written back) for every body it accepts, and declines the rest; it accepts the usual forms.
  static let revalidationBodies: [(String, Bool)] = [
    (#"{"context":{"targetingKey":"M1001","marketing_opt_in":true,"membership_months":14,"status":"active"}}"#, true),
    (" {\n \"context\" : {\t\"targetingKey\" : \"M-7\" , \"region\":\"eu\", \"n\" : -12 } }\r\n", true),
    (#"{"flags":["a",{"b":null}],"context":{"tags":["x",1,{"y":[]}],"o":{},"a":[],"targetingKey":"u"},"z":0}"#, true),
    (#"{"context":{"targetingKey":"u","big":123456789012345678,"neg":-123456789012345678,"zero":0}}"#, true),
    (#"{"context":{"targetingKey":"u","f":false,"n":null}}"#, true),
    (#"{"context":{"targetingKey":"u","x":1.5}}"#, false), (#"{"context":{"targetingKey":"u","x":1e3}}"#, false),
    (#"{"context":{"targetingKey":"u","x":-0}}"#, false),
    (#"{"context":{"targetingKey":"u","x":1234567890123456789}}"#, false),
    (#"{"context":{"targetingKey":"u","x":01}}"#, false), (#"{"context":{"targetingKey":"u","x":"caf\u00e9"}}"#, false),
    (#"{"context":{"targetingKey":"u","x":"café"}}"#, false), (#"{"context":{"targetingKey":"u\"v"}}"#, false),
    (#"{"context":{"targetingKey":"u"},"context":{"targetingKey":"v"}}"#, false),
    (#"{"context":{"targetingKey":"u","targetingKey":"v"}}"#, false), (#"{"context":{"targetingKey":""}}"#, false),
    (#"{"context":{"targetingKey":7}}"#, false), (#"{"context":{"region":"eu"}}"#, false), (#"{"context":[]}"#, false),
    (#"{"other":1}"#, false), ("[]", false), (#"{"context":{"targetingKey":"u"}} x"#, false),
    (#"{"context":{"targetingKey":"u",}}"#, false), (#"{"context":{"targetingKey":"u" "x":1}}"#, false),
    (#"{"context":{"targetingKey":"u","x":tru}}"#, false), (#"{"context":{"targetingKey":"u","x":truex}}"#, false),
    (#"{"context":{"targetingKey":"u","x":NaN}}"#, false), (#"{"context":{"targetingKey":"u","#, false), ("", false),
    (#"{"context":{"targetingKey":"u","x":"#, false),
    ("{\"context\":{\"targetingKey\":\"u\",\"x\":\"a\u{1}b\"}}", false),
    (
      #"{"context":{"targetingKey":"u","d":"# + String(repeating: "[", count: 15) + String(repeating: "]", count: 15)
        + "}}", true
    ),
    (
      #"{"context":{"targetingKey":"u","d":"# + String(repeating: "[", count: 16) + String(repeating: "]", count: 16)
        + "}}", false
    ),
  ]

  @Test(arguments: RequestPathTests.revalidationBodies)
  func revalidationReadsWhatTheGeneralPathReads(_ text: String, _ accepted: Bool) {
    let body = ByteBuffer(string: text)
    let fast = OFREPRequest.revalidation(body)
    #expect((fast != nil) == accepted, "\(text)")
    if let fast {
      guard case .success(let general) = OFREPRequest.context(body, keepingBytes: true) else {
        Issue.record("accepted by the short way, refused by the general path: \(text)")
        return
      }
      #expect(fast.unit == general.context.unit)
      #expect(fast.contextBytes == general.contextBytes, "\(text)")
    }
  }

  /// Random contexts (nested values, every scalar form, random spacing): whatever the short way accepts, it reads as
  /// the general path does.
  @Test func revalidationAgreesWithTheGeneralPathOnRandomBodies() {
    var random = SplitMix64(seed: 20_261_206)
    func space() -> String { ["", " ", "\n", "\t ", "\r\n  "][Int.random(in: 0..<5, using: &random)] }
    func scalar() -> String {
      switch Int.random(in: 0..<10, using: &random) {
      case 0: return "true"
      case 1: return "false"
      case 2: return "null"
      case 3: return String(Int.random(in: -1_000_000...1_000_000, using: &random))
      case 4:
        return ["0", "-0", "1.5", "2e3", "-7E-2", "123456789012345678", "1234567890123456789"].randomElement(
          using: &random)!
      case 5: return #""a\nb""#
      case 6: return #""été""#
      case 7: return #""""#
      default: return "\"v\(Int.random(in: 0..<100, using: &random))\""
      }
    }
    func value(_ depth: Int) -> String {
      guard depth < 4 else { return scalar() }
      switch Int.random(in: 0..<6, using: &random) {
      case 0:
        let items = (0..<Int.random(in: 0..<4, using: &random)).map { _ in space() + value(depth + 1) + space() }
        return "[" + items.joined(separator: ",") + "]"
      case 1:
        let members = (0..<Int.random(in: 0..<4, using: &random)).map { index in
          space() + "\"k\(index)\"" + space() + ":" + space() + value(depth + 1) + space()
        }
        return "{" + members.joined(separator: ",") + "}"
      default: return scalar()
      }
    }
    var accepted = 0
    for _ in 0..<2000 {
      var members = (0..<Int.random(in: 0..<5, using: &random)).map { index in
        "\"a\(index)\"" + space() + ":" + space() + value(1)
      }
      let key = Int.random(in: 0..<10, using: &random) == 0 ? "7" : "\"M-\(Int.random(in: 0..<999, using: &random))\""
      members.insert("\"targetingKey\":" + space() + key, at: Int.random(in: 0...members.count, using: &random))
      let text =
        "{" + space() + "\"context\"" + space() + ":" + space() + "{" + members.joined(separator: "," + space())
        + "}" + space() + "}"
      let body = ByteBuffer(string: text)
      guard let fast = OFREPRequest.revalidation(body) else { continue }
      accepted += 1
      guard case .success(let general) = OFREPRequest.context(body, keepingBytes: true) else {
        Issue.record("accepted by the short way, refused by the general path: \(text)")
        continue
      }
      #expect(fast.unit == general.context.unit, "\(text)")
      #expect(fast.contextBytes == general.contextBytes, "\(text)")
    }
    #expect(accepted > 200, "the short way must take the usual forms: \(accepted) of 2000")
  }
}
