import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import StrataServer
import StrataTestSupport
import Testing

@Suite struct AuthTests {
  struct Keys {
    var client: String
    var server: String
    var viewer: String
    var admin: String
    var records: [APIKey]
  }

  func makeKeys() -> Keys {
    let client = APIKey.generate(name: "web", role: .client)
    let server = APIKey.generate(name: "backend", role: .server)
    let viewer = APIKey.generate(name: "dashboard", role: .viewer)
    let admin = APIKey.generate(name: "ops", role: .admin)
    return Keys(
      client: client.key, server: server.key, viewer: viewer.key, admin: admin.key,
      records: [client.record, server.record, viewer.record, admin.record])
  }

  static let context = #"{"context": {"targetingKey": "u-1"}}"#

  @Test func rolesDecideWhatAKeyMayDo() async throws {
    let keys = makeKeys()
    let harness = try TestService(keys: keys.records)
    defer { harness.remove() }
    try await harness.test { client in
      func status(_ uri: String, _ method: HTTPRequest.Method, key: String?, bearer: Bool = false) async throws
        -> HTTPResponse.Status
      {
        var headers = jsonHeaders
        if let key {
          if bearer { headers[.authorization] = "Bearer \(key)" } else { headers[HTTPField.Name("X-API-Key")!] = key }
        }
        let response = try await client.execute(
          uri: uri, method: method, headers: headers, body: method == .post ? body(AuthTests.context) : nil)
        return response.status
      }
      let single = "/ofrep/v1/evaluate/flags/banner-on"
      let bulk = "/ofrep/v1/evaluate/flags"
      do {
        let status = try await status(single, .post, key: keys.server);
        #expect(status == .ok, "single, .post, key: keys.server")
      }
      do {
        let status = try await status(single, .post, key: keys.server, bearer: true);
        #expect(status == .ok, "single, .post, key: keys.server, bearer: true")
      }
      do {
        let status = try await status(single, .post, key: keys.client);
        #expect(status == .forbidden, "single, .post, key: keys.client")
      }
      do {
        let status = try await status(bulk, .post, key: keys.client);
        #expect(status == .ok, "bulk, .post, key: keys.client")
      }
      do {
        let status = try await status(bulk, .post, key: keys.client, bearer: true);
        #expect(status == .ok, "bulk, .post, key: keys.client, bearer: true")
      }
      do {
        let status = try await status(bulk, .post, key: keys.viewer);
        #expect(status == .forbidden, "bulk, .post, key: keys.viewer")
      }
      do {
        let status = try await status("/v1/experiments", .get, key: keys.viewer);
        #expect(status == .ok, "/v1/experiments, .get, key: keys.viewer")
      }
      do {
        let status = try await status("/v1/experiments", .get, key: keys.server);
        #expect(status == .forbidden, "/v1/experiments, .get, key: keys.server")
      }
      do {
        let status = try await status("/v1/experiments", .get, key: keys.admin);
        #expect(status == .ok, "/v1/experiments, .get, key: keys.admin")
      }
      do {
        let status = try await status(single, .post, key: keys.admin);
        #expect(status == .ok, "single, .post, key: keys.admin")
      }
      do {
        let status = try await status("/healthz", .get, key: nil); #expect(status == .ok, "/healthz, .get, key: nil")
      }
    }
  }

  @Test func missingOrWrongKeysAreChallenged() async throws {
    let keys = makeKeys()
    let harness = try TestService(keys: keys.records)
    defer { harness.remove() }
    try await harness.test { client in
      for headers: HTTPFields in [
        jsonHeaders, [HTTPField.Name("X-API-Key")!: "strata_server_wrong"], [.authorization: "Bearer nope"],
        [.authorization: "Basic dXNlcjpwYXNz"],
      ] {
        let response = try await client.execute(
          uri: "/ofrep/v1/evaluate/flags/banner-on", method: .post, headers: headers, body: body(AuthTests.context))
        #expect(response.status == .unauthorized)
        #expect(response.headers[.wwwAuthenticate]?.hasPrefix("Bearer realm=\"strata\"") == true)
        #expect(try response.body.json["errorDetails"] != nil)
        let native = try await client.execute(
          uri: "/v1/assign", method: .post, headers: headers, body: body(#"{"unit": "u"}"#))
        #expect(native.status == .unauthorized)
        #expect(try native.body.json["error"]?["code"] == .string("unauthorized"))
      }
    }
  }

  @Test func eachKeyHasARateLimit() async throws {
    let keys = makeKeys()
    // 1 request/s with a burst of 2: the 30 requests below would have to take 28 s to all pass, so the
    // check holds however slow a loaded machine makes them (RateLimiterTests check the bucket on a given clock).
    let harness = try TestService(keys: keys.records, rateLimit: 1)
    defer { harness.remove() }
    try await harness.test { client in
      var statuses: [HTTPResponse.Status] = []
      var retryAfter: String?
      for _ in 0..<30 {
        let response = try await client.execute(
          uri: "/ofrep/v1/evaluate/flags/banner-on", method: .post,
          headers: [HTTPField.Name("X-API-Key")!: keys.server], body: body(AuthTests.context))
        statuses.append(response.status)
        if response.status == .tooManyRequests { retryAfter = response.headers[.retryAfter] }
      }
      // A burst of twice the rate passes; the rest of 30 immediate requests cannot all pass.
      #expect(statuses.prefix(2).allSatisfy { $0 == .ok })
      #expect(statuses.contains(.tooManyRequests))
      #expect(retryAfter.flatMap(Int.init).map { $0 >= 1 } == true)
      // Another key has its own bucket.
      let other = try await client.execute(
        uri: "/ofrep/v1/evaluate/flags", method: .post, headers: [HTTPField.Name("X-API-Key")!: keys.client],
        body: body(AuthTests.context))
      #expect(other.status == .ok)
    }
  }

  @Test func keysFileStoresOnlyHashes() throws {
    let directory = try makeTemporaryDirectory("strata-keys")
    defer { try? FileManager.default.removeItem(at: directory) }
    let file = directory.appendingPathComponent("keys.jsonl")
    let key = try KeyFile.addKey(name: "backend", role: .server, to: file)
    #expect(key.hasPrefix("strata_server_") && key.count == "strata_server_".count + 43)
    let text = try String(contentsOf: file, encoding: .utf8)
    #expect(!text.contains(key))
    let stored = try KeyFile.read(file)
    #expect(stored.count == 1 && stored[0].sha256 == APIKey.digest(of: key) && stored[0].role == .server)
    #expect(throws: KeyFileError.self) { try KeyFile.addKey(name: "backend", role: .admin, to: file) }
    #expect(throws: KeyFileError.self) {
      try KeyFile.parse(Array(#"{"name": "x", "role": "root", "sha256": "00"}"#.utf8), file: "k")
    }
    do {
      _ = try KeyFile.parse(Array("\n{\"name\": \"x\", \"role\": \"root\"}".utf8), file: "keys.jsonl")
    } catch {
      #expect(error.description.hasPrefix("keys.jsonl:2: "))
    }
  }

  /// A keys file saved by Windows Notepad starts with a UTF-8 byte-order mark: read as without it (was "k.jsonl:1:
  /// invalid JSON at byte 0: expected a value"); one in the middle (two files joined) is one sentence naming the line.
  @Test func keysFileWithAByteOrderMark() throws {
    let directory = try makeTemporaryDirectory("strata-keys")
    defer { try? FileManager.default.removeItem(at: directory) }
    let plain = directory.appendingPathComponent("plain.jsonl")
    let key = try KeyFile.addKey(name: "backend", role: .server, to: plain)
    let line = try Data(contentsOf: plain)
    let marked = directory.appendingPathComponent("notepad.jsonl")
    try (Data([0xEF, 0xBB, 0xBF]) + line).write(to: marked)
    let keys = try KeyFile.read(marked)
    #expect(keys == (try KeyFile.read(plain)))
    #expect(keys.count == 1 && keys[0].name == "backend" && keys[0].sha256 == APIKey.digest(of: key))
    // `strata keys new` on it keeps the key and adds the new one.
    _ = try KeyFile.addKey(name: "viewer", role: .viewer, to: marked)
    #expect(try KeyFile.read(marked).map(\.name) == ["backend", "viewer"])
    let joined = directory.appendingPathComponent("joined.jsonl")
    let other = Array(#"{"name":"b","role":"viewer","sha256":"\#(String(repeating: "a", count: 64))"}"#.utf8)
    try (Data([0xEF, 0xBB, 0xBF]) + line + Data([0xEF, 0xBB, 0xBF] + other + [0x0A])).write(to: joined)
    do {
      _ = try KeyFile.read(joined)
      Issue.record("a byte-order mark in the middle was read")
    } catch {
      #expect(
        error.description
          == "\(joined.path):2: a UTF-8 byte-order mark at byte 0 (only the first bytes of the file may hold one: "
          + "were two files joined? save it as UTF-8 without one)")
    }
  }

  /// A directory or a missing file where the keys file or the audit key is read: why, in one sentence (was "cannot
  /// read the keys file" and "cannot read the audit key file (check its permissions)").
  @Test func keysFileAndAuditKeyThatCannotBeRead() throws {
    let directory = try makeTemporaryDirectory("strata-keys")
    defer { try? FileManager.default.removeItem(at: directory) }
    do {
      _ = try KeyFile.read(directory)
      Issue.record("a directory was read as the keys file")
    } catch {
      #expect(
        error.description
          == "\(directory.path): is a directory, not a keys file (JSON lines that `strata keys new` writes)")
    }
    let missing = directory.appendingPathComponent("none.jsonl")
    do {
      _ = try KeyFile.bytes(of: missing)
      Issue.record("a missing keys file was read")
    } catch {
      #expect(error.description == "\(missing.path): no such keys file (make one with `strata keys new`)")
    }
    do {
      _ = try AuditKey.load(file: directory.path)
      Issue.record("a directory was read as the audit key")
    } catch {
      #expect(
        error.description
          == "\(directory.path): is a directory, not an audit key file (name a file; it is made when missing)")
    }
    let made = try AuditKey.load(file: directory.appendingPathComponent("audit.key").path)
    #expect(made.created)
    let again = try AuditKey.load(file: directory.appendingPathComponent("audit.key").path)
    #expect(!again.created && again.key.fingerprint == made.key.fingerprint)
  }
}
