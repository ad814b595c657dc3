import Hummingbird
import StrataAssignment

/// A request to ingest that cannot be accepted.
///
/// It has the status, a code and a sentence naming the item and field (`exposures[3].variant: ...`). Nothing of
/// the batch is written.
struct IngestFailure: Error {
  var status: HTTPResponse.Status = .badRequest
  var code = "invalid_request"
  var message: String
  /// The item's position in the batch, when one item is at fault.
  var index: Int?
  /// The field at fault (`variant`), when one is.
  var field: String?

  var response: Response {
    var members: [(String, JSON)] = [("code", .string(code)), ("message", .string(message))]
    if let index { members.append(("index", .integer(index))) }
    if let field { members.append(("field", .string(field))) }
    return Responses.json(status, .object([("error", .object(members))]))
  }
}

/// Reads and checks the bodies of `POST /v1/exposures` and `POST /v1/events`.
///
/// Every item is checked before anything is written: the first bad item (by position) fails the whole batch.
enum IngestRequest {
  /// Items per batch, at most.
  static let maximumItems = 1000
  /// Longest id and unit id, in UTF-8 bytes.
  static let maximumIDBytes = 256
  /// How far ahead of the server's clock a `time` may be (clocks differ a little; a day is a bug).
  static let maximumLeadMilliseconds: Int64 = 86_400_000

  /// The body's item list under `key` (`exposures` or `events`).
  static func items(_ body: ByteBuffer, key: String) throws(IngestFailure) -> [JSON] {
    let json: JSON
    do {
      json = try JSON.parse(body.readableBytesView, nonFinite: true)
    } catch {
      throw IngestFailure(code: "invalid_json", message: "the body is not JSON: \(error)")
    }
    guard case .object(let members) = json else {
      throw IngestFailure(message: "the body must be a JSON object: {\"\(key)\": [...]}")
    }
    if let unknown = members.first(where: { $0.0 != key }) {
      throw IngestFailure(message: "\(unknown.0): unknown field (the body is {\"\(key)\": [...]})", field: unknown.0)
    }
    guard let list = json[key] else { throw IngestFailure(message: "\(key): missing", field: key) }
    guard case .array(let items) = list else { throw IngestFailure(message: "\(key): expected a list", field: key) }
    guard !items.isEmpty else { throw IngestFailure(message: "\(key): the list is empty", field: key) }
    guard items.count <= maximumItems else {
      throw IngestFailure(
        status: .contentTooLarge, code: "batch_too_large",
        message: "\(key): \(items.count) items; at most \(maximumItems) per batch (split it)", field: key)
    }
    return items
  }

  /// The fields of item `index`, refusing fields not in `known`.
  static func fields(_ item: JSON, _ key: String, _ index: Int, known: [String]) throws(IngestFailure) -> JSON {
    guard case .object(let members) = item else {
      throw IngestFailure(message: "\(key)[\(index)]: expected an object", index: index)
    }
    if let unknown = members.first(where: { !known.contains($0.0) }) {
      throw IngestFailure(
        message: "\(key)[\(index)].\(unknown.0): unknown field (known: \(known.joined(separator: ", ")))",
        index: index, field: unknown.0)
    }
    return item
  }

  /// A required text field: non-empty, at most `maximumIDBytes` bytes when `bounded`.
  static func text(
    _ item: JSON, _ field: String, _ key: String, _ index: Int, bounded: Bool = true
  ) throws(IngestFailure) -> String {
    guard let value = item[field] else {
      throw IngestFailure(message: "\(key)[\(index)].\(field): missing", index: index, field: field)
    }
    guard case .string(let text) = value, !text.isEmpty else {
      throw IngestFailure(message: "\(key)[\(index)].\(field): expected non-empty text", index: index, field: field)
    }
    guard !bounded || text.utf8.count <= maximumIDBytes else {
      throw IngestFailure(
        message: "\(key)[\(index)].\(field): longer than \(maximumIDBytes) bytes", index: index, field: field)
    }
    return text
  }

  /// An optional text field.
  static func optionalText(_ item: JSON, _ field: String, _ key: String, _ index: Int) throws(IngestFailure)
    -> String?
  {
    guard let value = item[field], value != .null else { return nil }
    return try text(item, field, key, index)
  }

  /// The item's `time`, or `now` when absent.
  static func time(_ item: JSON, _ key: String, _ index: Int, now: IngestTime) throws(IngestFailure) -> IngestTime {
    guard let value = item["time"], value != .null else { return now }
    guard case .string(let text) = value else {
      throw IngestFailure(
        message: "\(key)[\(index)].time: expected RFC 3339 text such as 2026-12-03T10:15:00Z", index: index,
        field: "time")
    }
    switch IngestTime.parse(text) {
    case .failure(let problem):
      throw IngestFailure(message: "\(key)[\(index)].time: \"\(text)\" \(problem)", index: index, field: "time")
    case .success(let time):
      guard time.milliseconds <= now.milliseconds + maximumLeadMilliseconds else {
        throw IngestFailure(
          message: "\(key)[\(index)].time: \(text) is more than a day ahead of the server's clock (\(now.text) UTC)",
          index: index, field: "time")
      }
      return time
    }
  }
}
