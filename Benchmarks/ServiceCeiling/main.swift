// The speed ceiling of the service's stack on this machine: Hummingbird 2 answering every POST with a
// fixed JSON body of a given size (no parsing, no lookup, no hashing), and 304 with a fixed ETag when
// the request carries If-None-Match. Benchmarks/service-benchmark.sh runs it beside `strata serve`.
//
//   swift run -c release service-ceiling --port 8091 --size 262
import Foundation
import Hummingbird
import NIOCore

var port = 8091
var size = 262
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let argument = arguments.next() {
  switch argument {
  case "--port": port = Int(arguments.next() ?? "") ?? port
  case "--size": size = Int(arguments.next() ?? "") ?? size
  default:
    print("usage: service-ceiling [--port P] [--size BYTES]")
    exit(64)
  }
}

// {"key":"ceiling","value":"xxx…"} padded to `size` bytes.
let prefix = #"{"key":"ceiling","value":""#
let suffix = #""}"#
let padding = max(0, size - prefix.utf8.count - suffix.utf8.count)
let body = ByteBuffer(string: prefix + String(repeating: "x", count: padding) + suffix)
let etag = "\"0000000000000000000000000000000000000000000000000000000000000000\""

let router = Router()
@Sendable func answer(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
  _ = try await request.body.collect(upTo: 65536)
  if request.headers[.ifNoneMatch] != nil { return Response(status: .notModified, headers: [.eTag: etag]) }
  return Response(
    status: .ok, headers: [.contentType: "application/json", .eTag: etag], body: ResponseBody(byteBuffer: body))
}
router.post("/ofrep/v1/evaluate/flags/{key}", use: answer)
router.post("/ofrep/v1/evaluate/flags", use: answer)
let app = Application(
  router: router, configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: nil))
print("service-ceiling on 127.0.0.1:\(port), body \(body.readableBytes) bytes")
try await app.runService()
