import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import PostgresNIO
@testable import StrataServer
import Testing

@Suite struct ServiceLimitsTests {
  /// A request over its time is answered 503 and its handler cancelled; one answered in time passes unchanged.
  ///
  /// The slow handlers never answer (they sleep for ten minutes), so they time out however loaded the machine is. The
  /// handlers that answer are served under a timeout no run reaches: under the 200 ms one, a 5 ms handler was answered
  /// 503 in a parallel run of the suite at load 13.5 (its continuation had not run when its deadline passed). That is
  /// the watchdog keeping its promise (not answered in time); a test cannot promise a request's wall-clock time.
  @Test func aRequestOverItsTimeIsAnswered503AndCancelled() async throws {
    let router = Router(context: BasicRequestContext.self)
    let metrics = ServiceMetrics()
    router.add(
      middleware: RequestMiddleware(metrics: metrics, logger: Logger(label: "test"), timeout: .milliseconds(200)))
    let cancelled = Cancelled()
    router.get("/v1/slow") { _, _ -> String in
      do {
        try await Task.sleep(for: .seconds(600))
      } catch {
        cancelled.mark()
        throw error
      }
      return "late"
    }
    router.get("/ofrep/v1/slow") { _, _ -> String in
      try await Task.sleep(for: .seconds(600))
      return "late"
    }
    router.post("/v1/consent") { _, _ -> String in
      try await Task.sleep(for: .seconds(600))
      return "late"
    }
    router.post("/v1/experiments/{id}/looks") { _, _ -> String in
      try await Task.sleep(for: .seconds(600))
      return "late"
    }
    try await Application(router: router).test(.router) { client in
      let slow = try await client.execute(uri: "/v1/slow", method: .get)
      #expect(slow.status == .serviceUnavailable)
      #expect(try slow.body.json["error"]?["code"] == .string("timeout"))
      #expect(slow.headers[.retryAfter] == "1")
      #expect(cancelled.value)
      let ofrep = try await client.execute(uri: "/ofrep/v1/slow", method: .get)
      #expect(ofrep.status == .serviceUnavailable)
      #expect(try ofrep.body.json["errorDetails"] == .string("the request was not answered within 0.2 s; retry"))
      // A write cut off may have committed with only its answer lost: its sentence says so.
      let write = try await client.execute(uri: "/v1/consent", method: .post)
      #expect(write.status == .serviceUnavailable)
      #expect(
        try write.body.json["error"]?["message"]
          == .string("the request was not answered within 0.2 s: \(StrataService.consentUnconfirmed)"))
      // A planned look cut off may have been recorded: a blind repeat on newer data would record the next one.
      let look = try await client.execute(uri: "/v1/experiments/gym/looks", method: .post)
      #expect(look.status == .serviceUnavailable)
      #expect(
        try look.body.json["error"]?["message"]
          == .string("the request was not answered within 0.2 s: \(StrataService.lookUnconfirmed)"))
    }
    let answering = Router(context: BasicRequestContext.self)
    answering.add(
      middleware: RequestMiddleware(metrics: metrics, logger: Logger(label: "test"), timeout: .seconds(3600)))
    answering.get("/v1/fast") { _, _ in "ok" }
    answering.get("/v1/resumed") { _, _ -> String in
      try await Task.sleep(for: .milliseconds(5))
      return "resumed"
    }
    try await Application(router: answering).test(.router) { client in
      let fast = try await client.execute(uri: "/v1/fast", method: .get)
      #expect(fast.status == .ok)
      #expect(String(buffer: fast.body) == "ok")
      // A handler that answers after suspending (its child task resumes on another thread) is answered normally.
      let resumed = try await client.execute(uri: "/v1/resumed", method: .get)
      #expect(resumed.status == .ok)
      #expect(String(buffer: resumed.body) == "resumed")
    }
    let text = String(decoding: metrics.render(), as: UTF8.self)
    #expect(text.contains(#"strata_http_requests_total{route="/v1/slow",status="503"} 1"#))
    #expect(text.contains(#"strata_http_requests_total{route="/v1/fast",status="200"} 1"#))
    #expect(text.contains(#"strata_http_requests_total{route="/v1/resumed",status="200"} 1"#))
  }

  /// The request metrics, found once per route and status, count exactly what a plain table of counts counts.
  @Test func requestMetricsCountAsAPlainTableCounts() {
    let metrics = ServiceMetrics()
    var plain: [String: Int] = [:]
    let routes = ["/ofrep/v1/evaluate/flags/{key}", "/ofrep/v1/evaluate/flags", "unmatched"]
    let statuses = [200, 304, 400, 404, 200, 503]
    var state: UInt64 = 7
    for _ in 0..<500 {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      let route = routes[Int(state >> 33) % routes.count]
      let status = statuses[Int(state >> 41) % statuses.count]
      metrics.request(route: route, status: status, duration: .microseconds(Int(state >> 54)))
      plain["strata_http_requests_total{route=\"\(route)\",status=\"\(status)\"}", default: 0] += 1
    }
    func lines(_ bytes: [UInt8], _ prefix: String) -> [String] {
      String(decoding: bytes, as: UTF8.self).split(separator: "\n").map(String.init).filter { $0.hasPrefix(prefix) }
        .sorted()
    }
    let counted = lines(metrics.render(), "strata_http_requests_total{")
    #expect(counted.count > 10)
    #expect(counted == plain.map { "\($0.key) \($0.value)" }.sorted())
    let histogramCounts = lines(metrics.render(), "strata_http_request_duration_seconds_count")
    #expect(histogramCounts.count == routes.count)
    #expect(histogramCounts.compactMap { Int($0.split(separator: " ").last ?? "") }.reduce(0, +) == 500)
  }

  @Test func postgresTLSModesFollowLibpq() throws {
    func location(_ text: String) throws -> PostgresLocation {
      guard case .postgresql(let location) = try StoreLocation(parsing: text, environment: [:]) else {
        throw CocoaError(.featureUnsupported)
      }
      return location
    }
    // libpq's default, as `analyze --database` (serve, audit verify and looks defaulted to disable).
    #expect(try location("postgresql://u@h/d").tls == .prefer)
    #expect(try location("postgresql://u@h/d?sslmode=disable").tls == .disable)
    #expect(try location("postgresql://u@h/d?sslmode=prefer").tls == .prefer)
    #expect(try location("postgresql://u@h/d?sslmode=require").tls == .require)
    // libpq: require with a root certificate file checks the chain, as verify-ca (DatabaseURLTests); with a named file
    // that does not exist, it encrypts without checking.
    #expect(try location("postgresql://u@h/d?sslmode=require&sslrootcert=/nonexistent/ca.pem").tls == .require)
    let full = try location("postgresql://u@h/d?sslmode=verify-full&sslrootcert=/etc/ca.pem")
    #expect(full.tls == .verifyFull && full.rootCertificate == "/etc/ca.pem")
    #expect(try location("postgresql://u@h/d?sslmode=verify-full&sslrootcert=system").rootCertificate == "system")
    #expect(try location("postgresql://u@h/d?sslrootcert=system").tls == .verifyFull)  // libpq 16
    for (text, fragment) in [
      ("postgresql://u@h/d?sslmode=verify-full", "needs sslrootcert"),
      ("postgresql://u@h/d?sslmode=verify-ca", "needs sslrootcert"),
      ("postgresql://u@h/d?sslmode=allow", "sslmode=allow is not supported"),
      ("postgresql://u@h/d?sslmode=verify-ca&sslrootcert=", "sslrootcert is empty"),
      ("postgresql://u@h/d?sslcert=/c.pem", "the query parameter \"sslcert\" is not supported"),
      ("postgresql://u@h/d?sslmode=verify-ca&sslrootcert=system", "sslrootcert=system needs sslmode=verify-full"),
    ] {
      #expect(throws: StoreLocationError.self, "\(text)") { try location(text) }
      do {
        _ = try location(text)
      } catch {
        #expect("\(error)".contains(fragment), "\(error)")
      }
    }
    let missing = try location("postgresql://u@h/d?sslmode=verify-full&sslrootcert=/nonexistent/ca.pem")
    #expect(throws: StoreLocationError.self) {
      try missing.tls.clientTLS(rootCertificate: missing.rootCertificate)
    }
  }

  /// `audit verify` and `looks --database` have no `--database-timeout`: they wait 30 s for a connection, as before
  /// that option came, and their sentence names no option; serve's names the one it has.
  @Test func theConnectionWaitNamesOnlyAnOptionThatExists() throws {
    let location = try PostgresLocation(parsing: "postgresql://u@db.example.com/d", environment: [:])
    let oneShot = try PostgresStore.oneShotStore(location, logger: Logger(label: "test"))
    #expect(oneShot.connectionWait == .seconds(30) && oneShot.connectionWaitOption == nil)
    let unavailable = PostgresUnavailable(place: "db.example.com:5432", wait: .seconds(30), option: nil)
    #expect("\(unavailable)" == "no connection to PostgreSQL at db.example.com:5432 within 30 s")
    let served = PostgresUnavailable(
      place: "db.example.com:5432", wait: .milliseconds(2500), option: "--database-timeout")
    #expect("\(served)" == "no connection to PostgreSQL at db.example.com:5432 within 2.5 s (--database-timeout)")
  }

  /// A transaction's first statement carries the idle bound (milliseconds, for that transaction only) with the
  /// caller's own first items and their parameters, so the bound costs no round trip where there are such items; no
  /// statement at all when there is neither.
  @Test func theIdleBoundGoesWithTheTransactionsFirstStatement() throws {
    let setting = PostgresStore.idleLimitSetting(.milliseconds(2500))
    #expect(setting == "set_config('idle_in_transaction_session_timeout', '2500', true)")
    #expect(PostgresStore.idleLimitSetting(.seconds(30)).contains("'30000'"))
    #expect(PostgresStore.idleLimitSetting(.microseconds(10)).contains("'1'"))  // never 0, which would turn it off
    let lock: PostgresQuery = "pg_advisory_xact_lock(\(Int64(7)))"
    let both = try #require(PostgresStore.openingStatement(first: lock, idleLimit: setting))
    #expect(both.sql == "SELECT pg_advisory_xact_lock($1), \(setting)")
    #expect(both.binds.count == 1)
    #expect(PostgresStore.openingStatement(first: nil, idleLimit: setting)?.sql == "SELECT \(setting)")
    #expect(PostgresStore.openingStatement(first: lock, idleLimit: nil)?.sql == "SELECT pg_advisory_xact_lock($1)")
    #expect(PostgresStore.openingStatement(first: nil, idleLimit: nil) == nil)
    let location = try PostgresLocation(parsing: "postgresql://u@db.example.com/d", environment: [:])
    let served = try PostgresStore(location: location, logger: Logger(label: "test"))
    #expect(served.idleLimitSetting == PostgresStore.idleLimitSetting(.seconds(30)))
    let off = try PostgresStore(location: location, logger: Logger(label: "test"), transactionIdleLimit: nil)
    #expect(off.idleLimitSetting == nil)
  }
}

/// Whether a handler saw its cancellation.
final class Cancelled: @unchecked Sendable {
  private let lock = NSLock()
  private var flag = false
  func mark() { lock.withLock { flag = true } }
  var value: Bool { lock.withLock { flag } }
}
