import Foundation
import StrataTestSupport
import Testing

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Every command that takes a PostgreSQL URL, on a port that refuses and on one that never answers.
///
/// One sentence naming the host and port and the reason, exit 1, at once (refused) or after the 10 s connect timeout
/// (silent), never the pooled client's minute of retries. Wrong passwords, databases, roles and TLS settings on a
/// real cluster: Tests/Warehouse/test_postgres_connect.py.
@Suite("PostgreSQL that cannot be reached")
struct PostgresConnectCLITests {
  /// The commands taking `--database URL`, each with what else it needs (`serve` a directory of one definition and an
  /// audit key file in `directory`, which must not be made).
  static func command(_ name: String, url: String, directory: URL) throws -> [String] {
    switch name {
    case "audit verify": return ["audit", "verify", "--database", url]
    case "looks list": return ["looks", "list", "--database", url, "--experiment", "gym-renewal-2026"]
    case "looks drop": return ["looks", "drop", "--database", url, "--experiment", "gym-renewal-2026", "--look", "1"]
    case "analyze":
      return [
        "analyze", "--experiment", AssignCommandTests.gym, "--database", url, "--table", "units", "--no-look-log",
      ]
    default:
      let experiments = directory.appendingPathComponent("experiments")
      try FileManager.default.createDirectory(at: experiments, withIntermediateDirectories: true)
      try FileManager.default.copyItem(
        at: URL(fileURLWithPath: AssignCommandTests.gym), to: experiments.appendingPathComponent("gym-renewal.yaml"))
      return [
        "serve", "--experiments", experiments.path, "--database", url, "--port", "0", "--audit-key",
        directory.appendingPathComponent("audit.key").path,
      ]
    }
  }

  static let commands = ["audit verify", "looks list", "looks drop", "analyze", "serve"]

  /// A loopback port with no listener (bound, then closed: connecting to it is refused).
  static func freePort() throws -> Int {
    let socket = try Listener(listening: false)
    return socket.port
  }

  /// Checks the one line of `run` (serve may log JSON lines before it) and that nothing was written.
  static func expectOneSentence(_ run: StrataRun, _ sentence: String, directory: URL, _ name: String) throws {
    #expect(run.status == 1, "\(name): \(run.status) \(run.stderr)")
    #expect(run.stdout.isEmpty, "\(name): \(run.stdout)")
    let errors = run.stderr.split(separator: "\n").filter { !$0.hasPrefix("{") }
    #expect(errors == [Substring(sentence)], "\(name): \(run.stderr)")
    #expect(!run.stderr.contains("circuitBreaker") && !run.stderr.contains("\"listening\""), "\(name): \(run.stderr)")
    let made = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0 != "experiments" }
    #expect(made.isEmpty, "\(name) wrote \(made)")
  }

  @Test(
    "a refused port: one sentence naming host:port at once (audit and looks waited 30 s, serve 67 s for 'circuitBreakerTripped')",
    .timeLimit(.minutes(3)), arguments: commands)
  func refused(_ name: String) throws {
    let directory = try makeTemporaryDirectory("strata-assign")
    let port = try Self.freePort()
    let run = try runStrata(try Self.command(name, url: "postgresql://x@127.0.0.1:\(port)/db", directory: directory))
    try Self.expectOneSentence(
      run,
      "strata: error: cannot connect to PostgreSQL at 127.0.0.1:\(port), database db as x: connection refused (is the "
        + "server running and listening on that port?)", directory: directory, name)
  }

  @Test(
    "a port that accepts and never answers: one sentence after the 10 s connect timeout", .timeLimit(.minutes(3)),
    arguments: commands)
  func silent(_ name: String) throws {
    let directory = try makeTemporaryDirectory("strata-assign")
    let listener = try Listener(listening: true)
    let run = try runStrata(
      try Self.command(name, url: "postgresql://x@127.0.0.1:\(listener.port)/db?sslmode=disable", directory: directory))
    try Self.expectOneSentence(
      run,
      "strata: error: cannot connect to PostgreSQL at 127.0.0.1:\(listener.port), database db as x: no answer within "
        + "10 s (the connect timeout)", directory: directory, name)
    withExtendedLifetime(listener) {}
  }

  @Test("serve checks the definitions and the audit key file before it makes the SQLite database (it made it first)")
  func serveChecksBeforeWriting() throws {
    let directory = try makeTemporaryDirectory("strata-assign")
    let database = directory.appendingPathComponent("s.db").path
    let missing = directory.appendingPathComponent("missing").path
    let noExperiments = try runStrata(["serve", "--experiments", missing, "--database", "sqlite:\(database)"])
    #expect(noExperiments.status == 1 && noExperiments.stderr.contains("\(missing): no such experiments directory"))
    let badKey = directory.appendingPathComponent("bad.key").path
    try Data("not hex\n".utf8).write(to: URL(fileURLWithPath: badKey))
    let experiments = directory.appendingPathComponent("experiments")
    try FileManager.default.createDirectory(at: experiments, withIntermediateDirectories: true)
    try FileManager.default.copyItem(
      at: URL(fileURLWithPath: AssignCommandTests.gym), to: experiments.appendingPathComponent("gym-renewal.yaml"))
    let wrongKey = try runStrata([
      "serve", "--experiments", experiments.path, "--database", "sqlite:\(database)", "--audit-key", badKey,
    ])
    #expect(
      wrongKey.status == 1 && wrongKey.stderr.contains("\(badKey): an audit key file holds"), "\(wrongKey.stderr)")
    let keyNowhere = directory.appendingPathComponent("nowhere/audit.key").path
    let noKeyDirectory = try runStrata([
      "serve", "--experiments", experiments.path, "--database", "sqlite:\(database)", "--audit-key", keyNowhere,
    ])
    #expect(
      noKeyDirectory.status == 1
        && noKeyDirectory.stderr.contains(
          "strata: error: \(keyNowhere): cannot make the audit key file there (no such directory "),
      "\(noKeyDirectory.stderr)")
    // No --audit-key: the key goes beside the database, so the database's missing directory is named (the
    // sentence named '<database>.audit-key', a file the user did not name).
    let databaseNowhere = directory.appendingPathComponent("nodir/s.db").path
    let noDatabaseDirectory = try runStrata([
      "serve", "--experiments", experiments.path, "--database", "sqlite:\(databaseNowhere)",
    ])
    #expect(noDatabaseDirectory.status == 1)
    #expect(
      noDatabaseDirectory.stderr
        == "strata: error: \(databaseNowhere): cannot make the SQLite database there (no such directory \(directory.appendingPathComponent("nodir").path))\n",
      "\(noDatabaseDirectory.stderr)")
    let made = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
    #expect(made == ["bad.key", "experiments"], "\(made)")
  }

  @Test("--database-timeout: seconds between 0.1 and 3600 (a usage error otherwise), shown in serve's help")
  func databaseTimeoutFlag() throws {
    for value in ["0", "0.05", "3601", "nan"] {
      let run = try runStrata(["serve", "--experiments", "x", "--database-timeout", value])
      #expect(run.status == 64, "\(value): \(run.stderr)")
      #expect(run.stderr.contains("--database-timeout must be between 0.1 and 3600 seconds"), "\(value): \(run.stderr)")
    }
    let help = try runStrata(["serve", "--help"])
    #expect(help.stdout.contains("--database-timeout <database-timeout>") && help.stdout.contains("(default: 5.0)"))
  }

  @Test("--pending-catalog-limit: a whole number between 1 and 100000 (a usage error otherwise), shown in serve's help")
  func pendingCatalogLimitFlag() throws {
    for value in ["0", "-1", "100001"] {
      let run = try runStrata(["serve", "--experiments", "x", "--pending-catalog-limit=\(value)"])
      #expect(run.status == 64, "\(value): \(run.stderr)")
      #expect(run.stderr.contains("--pending-catalog-limit must be between 1 and 100000"), "\(value): \(run.stderr)")
    }
    let notNumber = try runStrata(["serve", "--experiments", "x", "--pending-catalog-limit", "2.5"])
    #expect(notNumber.status == 64, "\(notNumber.stderr)")
    // 1 and 100000 pass validation: the start then stops at the missing experiments directory (exit 1)
    for value in ["1", "100000"] {
      let run = try runStrata(["serve", "--experiments", "/nonexistent", "--pending-catalog-limit", value])
      #expect(run.status == 1, "\(value): \(run.stderr)")
    }
    let help = try runStrata(["serve", "--help"])
    #expect(
      help.stdout.contains("--pending-catalog-limit <pending-catalog-limit>") && help.stdout.contains("(default: 100)"),
      "\(help.stdout)")
  }

  @Test("--database-transaction-idle-timeout: 0 (off) or seconds between 0.1 and 3600, shown in serve's help")
  func transactionIdleTimeoutFlag() throws {
    for value in ["-1", "0.05", "3601", "nan"] {
      let run = try runStrata(["serve", "--experiments", "x", "--database-transaction-idle-timeout=\(value)"])
      #expect(run.status == 64, "\(value): \(run.stderr)")
      #expect(
        run.stderr.contains("--database-transaction-idle-timeout must be 0 (off) or between 0.1 and 3600 seconds"),
        "\(value): \(run.stderr)")
    }
    // 0 and a valid bound pass validation: the start then stops at the missing experiments directory (exit 1)
    for value in ["0", "0.1", "3600"] {
      let run = try runStrata(["serve", "--experiments", "/nonexistent", "--database-transaction-idle-timeout", value])
      #expect(run.status == 1, "\(value): \(run.stderr)")
    }
    let help = try runStrata(["serve", "--help"])
    #expect(
      help.stdout.contains("--database-transaction-idle-timeout <database-transaction-idle-timeout>")
        && help.stdout.contains("(default: 30.0)"), "\(help.stdout)")
  }

  /// Runs `strata` as a user that read-only directories apply to: `nobody` through runuser(1) when the tests run as
  /// root (root may create files in a directory whatever its mode), else the current user.
  static func runUnprivileged(_ arguments: [String]) throws -> StrataRun {
    guard geteuid() == 0 else { return try runStrata(arguments) }
    return try runExecutable(
      URL(fileURLWithPath: "/usr/sbin/runuser"), ["-u", "nobody", "--", strataExecutableURL().path] + arguments)
  }

  @Test(
    "serve names a directory it cannot write in (the audit key's, the SQLite database's) before it makes anything (it made the database, then failed)",
    .enabled(if: geteuid() != 0 || FileManager.default.isExecutableFile(atPath: "/usr/sbin/runuser")))
  func serveChecksWritableDirectories() throws {
    let directory = try makeTemporaryDirectory("strata-assign")
    defer { try? FileManager.default.removeItem(at: directory) }
    let experiments = directory.appendingPathComponent("experiments")
    try FileManager.default.createDirectory(at: experiments, withIntermediateDirectories: true)
    try FileManager.default.copyItem(
      at: URL(fileURLWithPath: AssignCommandTests.gym), to: experiments.appendingPathComponent("gym-renewal.yaml"))
    let writable = directory.appendingPathComponent("writable")
    let readOnly = directory.appendingPathComponent("read-only")
    try FileManager.default.createDirectory(at: writable, withIntermediateDirectories: true)
    try FileManager.default.createDirectory(at: readOnly, withIntermediateDirectories: true)
    try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: writable.path)
    try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: readOnly.path)
    let key = readOnly.appendingPathComponent("audit.key").path
    let keyRun = try Self.runUnprivileged([
      "serve", "--experiments", experiments.path, "--port", "0", "--database",
      "sqlite:\(writable.appendingPathComponent("s.db").path)", "--audit-key", key,
    ])
    #expect(keyRun.status == 1, "\(keyRun.stderr)")
    #expect(
      keyRun.stderr
        == "strata: error: \(key): cannot make the audit key file there (no permission to create files in \(readOnly.path))\n",
      "\(keyRun.stderr)")
    // No --audit-key: the key would go beside the database, whose directory is named.
    let database = readOnly.appendingPathComponent("s.db").path
    let databaseRun = try Self.runUnprivileged([
      "serve", "--experiments", experiments.path, "--port", "0", "--database", "sqlite:\(database)",
    ])
    #expect(databaseRun.status == 1, "\(databaseRun.stderr)")
    #expect(
      databaseRun.stderr
        == "strata: error: \(database): cannot make the SQLite database there (no permission to create files in \(readOnly.path))\n",
      "\(databaseRun.stderr)")
    #expect(try FileManager.default.contentsOfDirectory(atPath: writable.path).isEmpty)
    #expect(try FileManager.default.contentsOfDirectory(atPath: readOnly.path).isEmpty)
  }
}

/// A TCP socket on 127.0.0.1 (a free port): listening (it accepts connections into its backlog and never answers),
/// or not (closed at once, so connecting is refused).
final class Listener: Sendable {
  let port: Int
  private let descriptor: Int32

  init(listening: Bool) throws {
    #if canImport(Glibc)
      let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    #else
      let descriptor = socket(AF_INET, SOCK_STREAM, 0)
    #endif
    guard descriptor >= 0 else { throw FixtureError.missing("socket() failed") }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) { pointer in
      pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
        bind(descriptor, address, length) == 0 && getsockname(descriptor, address, &length) == 0
      }
    }
    guard bound, !listening || listen(descriptor, 16) == 0 else {
      close(descriptor)
      throw FixtureError.missing("cannot bind a loopback port")
    }
    port = Int(UInt16(bigEndian: address.sin_port))
    if !listening { close(descriptor) }
    self.descriptor = listening ? descriptor : -1
  }

  deinit { if descriptor >= 0 { close(descriptor) } }
}
