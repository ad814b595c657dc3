import Foundation
import Hummingbird
import HummingbirdTesting
@testable import StrataServer
import Testing

@Suite struct ServiceLimitsTests {
  @Test func aRequestOverItsTimeIsAnswered503AndCancelled() async throws {
    let router = Router(context: BasicRequestContext.self)
    router.add(middleware: RequestTimeoutMiddleware(timeout: .milliseconds(200)))
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
    router.get("/v1/fast") { _, _ in "ok" }
    router.get("/ofrep/v1/slow") { _, _ -> String in
      try await Task.sleep(for: .seconds(600))
      return "late"
    }
    try await Application(router: router).test(.router) { client in
      let slow = try await client.execute(uri: "/v1/slow", method: .get)
      #expect(slow.status == .serviceUnavailable)
      #expect(try slow.body.json["error"]?["code"] == .string("timeout"))
      #expect(slow.headers[.retryAfter] == "1")
      #expect(cancelled.value)
      let fast = try await client.execute(uri: "/v1/fast", method: .get)
      #expect(fast.status == .ok)
      #expect(String(buffer: fast.body) == "ok")
      let ofrep = try await client.execute(uri: "/ofrep/v1/slow", method: .get)
      #expect(ofrep.status == .serviceUnavailable)
      #expect(try ofrep.body.json["errorDetails"] == .string("the request was not answered within 0.2 s; retry"))
    }
  }

  @Test func postgresTLSModesFollowLibpq() throws {
    func location(_ text: String) throws -> PostgresLocation {
      guard case .postgresql(let location) = try StoreLocation(parsing: text) else {
        throw CocoaError(.featureUnsupported)
      }
      return location
    }
    #expect(try location("postgresql://u@h/d").tls == .disable)
    #expect(try location("postgresql://u@h/d?sslmode=prefer").tls == .prefer)
    #expect(try location("postgresql://u@h/d?sslmode=require").tls == .require)
    // libpq: require with a root certificate checks the chain, as verify-ca.
    #expect(try location("postgresql://u@h/d?sslmode=require&sslrootcert=/ca.pem").tls == .verifyCA)
    let full = try location("postgresql://u@h/d?sslmode=verify-full&sslrootcert=/etc/ca.pem")
    #expect(full.tls == .verifyFull && full.rootCertificate == "/etc/ca.pem")
    #expect(try location("postgresql://u@h/d?sslmode=verify-ca&sslrootcert=system").rootCertificate == "system")
    for (text, fragment) in [
      ("postgresql://u@h/d?sslmode=verify-full", "needs sslrootcert"),
      ("postgresql://u@h/d?sslmode=verify-ca", "needs sslrootcert"),
      ("postgresql://u@h/d?sslmode=allow", "sslmode=allow is not supported"),
      ("postgresql://u@h/d?sslmode=verify-ca&sslrootcert=", "sslrootcert is empty"),
      ("postgresql://u@h/d?sslcert=/c.pem", "unknown parameter sslcert"),
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
}

/// Whether a handler saw its cancellation.
final class Cancelled: @unchecked Sendable {
  private let lock = NSLock()
  private var flag = false
  func mark() { lock.withLock { flag = true } }
  var value: Bool { lock.withLock { flag } }
}
