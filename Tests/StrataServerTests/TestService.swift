import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import StrataServer

/// A service over a copy of the fixture experiments (in a temporary directory the test may edit),
/// with an SQLite store in the same directory.
struct TestService {
  let directory: URL
  let experiments: URL
  let service: StrataService

  static func fixturesDirectory() throws -> URL {
    guard let url = Bundle.module.url(forResource: "Fixtures/experiments", withExtension: nil) else {
      throw CocoaError(.fileNoSuchFile)
    }
    return url
  }

  /// `extra`: more definition files (name → text) written beside the fixtures before the catalog is loaded.
  init(keys: [APIKey] = [], rateLimit: Double = 0, only names: [String]? = nil, extra: [String: String] = [:]) throws {
    directory = FileManager.default.temporaryDirectory.appendingPathComponent("strata-serve-\(UUID().uuidString)")
    experiments = directory.appendingPathComponent("experiments")
    try FileManager.default.createDirectory(at: experiments, withIntermediateDirectories: true)
    let fixtures = try TestService.fixturesDirectory()
    for name in try FileManager.default.contentsOfDirectory(atPath: fixtures.path)
    where names?.contains(name) ?? true {
      try FileManager.default.copyItem(
        at: fixtures.appendingPathComponent(name), to: experiments.appendingPathComponent(name))
    }
    for (name, text) in extra {
      try text.write(to: experiments.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }
    let configuration = ServiceConfiguration(
      experimentsDirectory: experiments, database: .sqlite(path: directory.appendingPathComponent("strata.db").path),
      rateLimit: rateLimit, reloadInterval: .seconds(3600))
    var logger = Logger(label: "test")
    logger.logLevel = .critical
    service = try StrataService(
      configuration: configuration,
      store: try configuration.database.open(logger: logger), keys: keys, logger: logger)
  }

  /// Runs `body` against the service's router (no sockets).
  func test(_ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
    try await service.application().test(.router, body)
  }

  func remove() { try? FileManager.default.removeItem(at: directory) }
}

extension ByteBuffer {
  /// The body as JSON.
  var json: JSON {
    get throws { try JSON.parse(readableBytesView) }
  }
}

/// A JSON request body.
func body(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }

let jsonHeaders: HTTPFields = [.contentType: "application/json"]
