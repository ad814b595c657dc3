import Foundation
import HTTPTypes
import Logging
import Synchronization
import Testing

@testable import StrataServer

/// The keys file re-read by the reloader: a file that cannot be read is rejected like a bad one (was read as no keys,
/// which let every request in), and one that is back is read again.
@Suite struct KeysReloadTests {
  /// The error lines a service logged.
  final class ErrorLines: Sendable {
    let lines = Mutex<[String]>([])
  }

  /// A service with a keys file beside its experiments, listening (on paper) on `host`; its error log lines.
  struct Harness {
    let base: TestService
    let service: StrataService
    let keysFile: URL
    let store: any ServiceStore
    let log = ErrorLines()
    var errors: [String] { log.lines.withLock { $0 } }

    init(host: String = "0.0.0.0") throws {
      base = try TestService(only: ["banner-on.yaml"])
      keysFile = base.directory.appendingPathComponent("keys.jsonl")
      let configuration = ServiceConfiguration(
        experimentsDirectory: base.experiments, keysFile: keysFile,
        database: .sqlite(path: base.directory.appendingPathComponent("keys.db").path), host: host,
        reloadInterval: .seconds(3600))
      let lines = log
      let logger = Logger(label: "test") { label in
        JSONLogHandler(label: label, level: .error) { bytes in
          lines.lines.withLock { $0.append(String(decoding: bytes, as: UTF8.self)) }
        }
      }
      store = try configuration.database.open(logger: logger)
      service = try StrataService(configuration: configuration, store: store, keys: [], logger: logger)
    }

    func remove() { base.remove() }

    func outcome(_ key: String) -> Authenticator.Outcome {
      var headers = HTTPFields()
      headers[.apiKey] = key
      return service.authenticator.check(headers, roles: [.server])
    }

    func accepts(_ key: String) -> Bool {
      if case .allowed(let found?) = outcome(key) { return APIKey.digest(of: key) == found.sha256 }
      return false
    }

    func refuses(_ key: String) -> Bool {
      if case .unauthenticated = outcome(key) { return true }
      return false
    }
  }

  @Test func aKeysFileThatCannotBeReadKeepsThePreviousKeys() async throws {
    let harness = try Harness()
    defer { harness.remove() }
    _ = try await #require(harness.store as? SQLiteStore).migrate()
    let service = harness.service
    let first = try KeyFile.addKey(name: "backend", role: .server, to: harness.keysFile)
    let text = try Data(contentsOf: harness.keysFile)
    await service.reloadIfChanged()
    #expect(harness.accepts(first))

    // Deleted: the previous key still works and an unknown one is still refused; one error naming the path and why.
    try FileManager.default.removeItem(at: harness.keysFile)
    await service.reloadIfChanged()
    await service.reloadIfChanged()
    #expect(harness.accepts(first), "a missing keys file keeps the previous keys")
    #expect(harness.refuses("strata_server_unknown"), "authentication stays on")
    #expect(service.authenticator.keys.map(\.name) == ["backend"])
    var errors = harness.errors
    #expect(errors.count == 1)
    #expect(errors.first?.contains("\(harness.keysFile.path): no such keys file") == true)

    // A directory in its place: another reason, logged once more; the keys stay.
    try FileManager.default.createDirectory(at: harness.keysFile, withIntermediateDirectories: false)
    await service.reloadIfChanged()
    await service.reloadIfChanged()
    #expect(harness.accepts(first))
    errors = harness.errors
    #expect(errors.count == 2)
    #expect(errors.last?.contains("\(harness.keysFile.path): is a directory") == true)
    try FileManager.default.removeItem(at: harness.keysFile)

    // A device named by mistake: larger than the limit, refused without reading it all.
    try FileManager.default.createSymbolicLink(atPath: harness.keysFile.path, withDestinationPath: "/dev/zero")
    await service.reloadIfChanged()
    #expect(harness.accepts(first))
    #expect(harness.errors.last?.contains("the keys file is larger than 64 MB") == true)
    try FileManager.default.removeItem(at: harness.keysFile)

    // Back with the same contents: still the same keys; deleted again: logged again.
    try text.write(to: harness.keysFile)
    await service.reloadIfChanged()
    #expect(harness.accepts(first))
    try FileManager.default.removeItem(at: harness.keysFile)
    await service.reloadIfChanged()
    #expect(harness.accepts(first))
    #expect(harness.errors.count == 4)

    // Back with a new key: read on the next poll.
    try text.write(to: harness.keysFile)
    let second = try KeyFile.addKey(name: "worker", role: .server, to: harness.keysFile)
    await service.reloadIfChanged()
    #expect(harness.accepts(first) && harness.accepts(second))
    #expect(service.authenticator.keys.map(\.name) == ["backend", "worker"])
    #expect(harness.errors.count == 4)
  }

  /// An existing empty keys file is "no keys": every request allowed, so only on a loopback address (as at start).
  @Test func anEmptyKeysFileIsNoKeysOnlyOnLoopback() async throws {
    for host in ["0.0.0.0", "127.0.0.1"] {
      let harness = try Harness(host: host)
      defer { harness.remove() }
      _ = try await #require(harness.store as? SQLiteStore).migrate()
      let service = harness.service
      let key = try KeyFile.addKey(name: "backend", role: .server, to: harness.keysFile)
      await service.reloadIfChanged()
      #expect(harness.accepts(key))
      try Data().write(to: harness.keysFile)
      await service.reloadIfChanged()
      if host == "0.0.0.0" {
        #expect(harness.accepts(key) && harness.refuses("strata_server_unknown"), "\(host)")
        #expect(harness.errors.first?.contains("holds no keys") == true)
      } else {
        #expect(service.authenticator.keys.isEmpty, "\(host)")
        #expect(harness.errors.isEmpty)
      }
    }
  }
}
