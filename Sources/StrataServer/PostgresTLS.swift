import NIOSSL
import PostgresNIO

/// How a `postgresql://` connection uses TLS: the URL's `sslmode`, with libpq's meanings.
///
/// | `sslmode` | encrypted | server certificate checked |
/// |---|---|---|
/// | `disable` (default) | no | - |
/// | `prefer` | when the server offers TLS | no |
/// | `require` | yes | no (as libpq; with `sslrootcert`, its chain is checked as `verify-ca`) |
/// | `verify-ca` | yes | chain up to `sslrootcert` |
/// | `verify-full` | yes | chain up to `sslrootcert`, and the host name (or IP address) in the URL |
///
/// `sslrootcert` is a PEM file of CA certificates, or `system` for the system's trust store. libpq's `allow` is not
/// offered (postgres-nio cannot fall back from plain to TLS).
public enum PostgresTLSMode: String, Sendable, Equatable, CaseIterable {
  case disable, prefer, require
  case verifyCA = "verify-ca"
  case verifyFull = "verify-full"

  /// Reads `sslmode` and `sslrootcert`; the error names what is wrong.
  static func parse(mode: String?, rootCertificate: String?) throws(StoreLocationError) -> (
    PostgresTLSMode, String?
  ) {
    let text = mode ?? "disable"
    guard let parsed = PostgresTLSMode(rawValue: text) else {
      throw StoreLocationError(
        description:
          "--database: sslmode=\(text) is not supported (use \(allCases.map(\.rawValue).joined(separator: ", ")))")
    }
    if rootCertificate == "" {
      throw StoreLocationError(
        description: "--database: sslrootcert is empty (a PEM file of CA certificates, or system)")
    }
    switch parsed {
    case .verifyCA, .verifyFull:
      guard rootCertificate != nil else {
        throw StoreLocationError(
          description:
            "--database: sslmode=\(text) needs sslrootcert=FILE (a PEM file of the CA certificates to trust) or sslrootcert=system"
        )
      }
    case .require where rootCertificate != nil: return (.verifyCA, rootCertificate)
    case .disable, .prefer, .require: break
    }
    return (parsed, rootCertificate)
  }

  /// postgres-nio's TLS setting; reads the CA file (the error names it).
  func clientTLS(rootCertificate: String?) throws(StoreLocationError) -> PostgresClient.Configuration.TLS {
    guard let configuration = try tlsConfiguration(rootCertificate: rootCertificate) else { return .disable }
    return self == .prefer ? .prefer(configuration) : .require(configuration)
  }

  /// The same setting for one connection (``PostgresLocation/checkConnection(logger:)``).
  func connectionTLS(rootCertificate: String?) throws(StoreLocationError) -> PostgresConnection.Configuration.TLS {
    guard let configuration = try tlsConfiguration(rootCertificate: rootCertificate) else { return .disable }
    let context: NIOSSLContext
    do {
      context = try NIOSSLContext(configuration: configuration)
    } catch {
      throw StoreLocationError(description: "--database: cannot set up TLS (\(error))")
    }
    return self == .prefer ? .prefer(context) : .require(context)
  }

  /// The TLS configuration (nil: `disable`); reads the CA file (the error names it).
  private func tlsConfiguration(rootCertificate: String?) throws(StoreLocationError) -> TLSConfiguration? {
    var configuration = TLSConfiguration.makeClientConfiguration()
    switch self {
    case .disable: return nil
    case .prefer, .require: configuration.certificateVerification = .none
    case .verifyCA: configuration.certificateVerification = .noHostnameVerification
    case .verifyFull: configuration.certificateVerification = .fullVerification
    }
    if let rootCertificate, rootCertificate != "system" {
      do {
        let certificates = try NIOSSLCertificate.fromPEMFile(rootCertificate)
        guard !certificates.isEmpty else {
          throw StoreLocationError(description: "--database: sslrootcert \(rootCertificate) holds no PEM certificate")
        }
        configuration.trustRoots = .certificates(certificates)
      } catch let error as StoreLocationError {
        throw error
      } catch {
        throw StoreLocationError(
          description: "--database: cannot read sslrootcert \(rootCertificate) as PEM certificates (\(error))")
      }
    }
    return configuration
  }
}
