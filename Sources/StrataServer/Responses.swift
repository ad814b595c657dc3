import Hummingbird
import NIOCore

/// Which error shape a path's protocol uses: OFREP's `errorCode`/`errorDetails`, or the native API's
/// `{"error": {"code", "message"}}`.
enum APIProtocol {
  case ofrep, native

  init(path: String) { self = path.hasPrefix("/ofrep/") ? .ofrep : .native }
}

enum Responses {
  static let jsonType = "application/json"

  static func json(_ status: HTTPResponse.Status, _ body: JSON, headers: HTTPFields = [:]) -> Response {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(256)
    body.write(to: &bytes)
    var fields = headers
    fields[.contentType] = jsonType
    return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
  }

  /// An error in the shape of `api`.
  ///
  /// OFREP's general shape is `{"errorDetails"}`; its evaluation failures add `key` and `errorCode` (built by the
  /// OFREP handlers).
  static func error(
    _ api: APIProtocol, _ status: HTTPResponse.Status, code: String, message: String, headers: HTTPFields = [:]
  ) -> Response {
    switch api {
    case .ofrep: return json(status, .object([("errorDetails", .string(message))]), headers: headers)
    case .native:
      return json(
        status, .object([("error", .object([("code", .string(code)), ("message", .string(message))]))]),
        headers: headers)
    }
  }

  /// The response for an authentication outcome that is not `allowed`; nil when allowed.
  static func denied(_ outcome: Authenticator.Outcome, _ api: APIProtocol) -> Response? {
    switch outcome {
    case .allowed: return nil
    case .unauthenticated(let message):
      return error(
        api, .unauthorized, code: "unauthorized", message: message,
        headers: [.wwwAuthenticate: "Bearer realm=\"strata\", ApiKey realm=\"strata\" header=\"X-API-Key\""])
    case .forbidden(let key):
      return error(
        api, .forbidden, code: "forbidden",
        message: "key \"\(key.name)\" has role \(key.role.rawValue), which may not use this operation")
    }
  }

  static func rateLimited(_ api: APIProtocol, retryAfter: Int) -> Response {
    error(
      api, .tooManyRequests, code: "rate_limited",
      message: "rate limit exceeded for this API key; retry after \(retryAfter) s",
      headers: [.retryAfter: String(retryAfter)])
  }

  /// Reads a request body up to `limit` bytes; nil with the error response when it is too large or broken.
  ///
  /// A `Content-Length` above `limit` is answered (413) from the head, before any of the body is read: a client
  /// declaring more than it sends waited for the request timeout (30 s) for bytes that never came. The answer says
  /// `Connection: close`: the rest of the declared body is not read, so the connection cannot carry another request
  /// (the server reads on until the client closes it or the idle timeout does).
  static func body(_ request: Request, limit: Int, api: APIProtocol) async -> Result<ByteBuffer, ResponseFailure> {
    if let declared = request.headers[.contentLength], let length = Int(declared), length > limit {
      return .failure(
        ResponseFailure(
          response: error(
            api, .contentTooLarge, code: "body_too_large",
            message: "the request body exceeds \(limit) bytes (Content-Length: \(length))",
            headers: [.connection: "close"])))
    }
    do {
      return .success(try await request.body.collect(upTo: limit))
    } catch is NIOTooManyBytesError {
      return .failure(
        ResponseFailure(
          response: error(
            api, .contentTooLarge, code: "body_too_large", message: "the request body exceeds \(limit) bytes")))
    } catch {
      return .failure(
        ResponseFailure(
          response: Responses.error(api, .badRequest, code: "bad_body", message: "the request body could not be read")))
    }
  }
}

/// A response that ends a request early (wrapped so it can travel in a `Result`).
struct ResponseFailure: Error {
  var response: Response
}
