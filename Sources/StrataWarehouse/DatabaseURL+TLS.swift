import NIOSSL
import PostgresNIO

/// postgres-nio's TLS settings for a ``DatabaseURL``'s `sslmode` and `sslrootcert`, the same for `analyze
/// --database` (one connection) and the service (a pooled client).
///
/// | `sslmode` | encrypted | server certificate checked |
/// |---|---|---|
/// | `disable` | no | - |
/// | `prefer` | when the server offers TLS | no |
/// | `require` | yes | no (with an `sslrootcert` file that exists the URL reads as `verify-ca`) |
/// | `verify-ca` | yes | chain up to `sslrootcert` |
/// | `verify-full` | yes | chain up to `sslrootcert`, and the host name (or IP address) in the URL |
extension DatabaseURL.TLSMode {
  /// A pooled client's setting; reads the CA file (the error names it).
  public func postgresClientTLS(rootCertificate: String?) throws(WarehouseError) -> PostgresClient.Configuration.TLS {
    guard let configuration = try tlsConfiguration(rootCertificate: rootCertificate) else { return .disable }
    return self == .prefer ? .prefer(configuration) : .require(configuration)
  }

  /// One connection's setting; reads the CA file (the error names it).
  public func postgresConnectionTLS(rootCertificate: String?) throws(WarehouseError)
    -> PostgresConnection.Configuration.TLS
  {
    guard let configuration = try tlsConfiguration(rootCertificate: rootCertificate) else { return .disable }
    let context: NIOSSLContext
    do {
      context = try NIOSSLContext(configuration: configuration)
    } catch {
      throw WarehouseError("--database: cannot set up TLS (\(error))")
    }
    return self == .prefer ? .prefer(context) : .require(context)
  }

  /// The TLS configuration (nil: `disable`); reads the CA file unless it is `system`.
  private func tlsConfiguration(rootCertificate: String?) throws(WarehouseError) -> TLSConfiguration? {
    var configuration = TLSConfiguration.makeClientConfiguration()
    switch self {
    case .disable: return nil
    case .prefer, .require:
      configuration.certificateVerification = .none  // as libpq's prefer and require
      return configuration
    case .verifyCA: configuration.certificateVerification = .noHostnameVerification
    case .verifyFull: configuration.certificateVerification = .fullVerification
    }
    if let rootCertificate, rootCertificate != "system" {
      // Only verify-ca and verify-full get here with a file that does not exist (DatabaseURL drops it for the others).
      guard DatabaseURL.exists(rootCertificate) else {
        throw WarehouseError(
          "--database: sslrootcert \(rootCertificate) does not exist (\(rawValue) checks the server's certificate "
            + "against it)")
      }
      do {
        let certificates = try NIOSSLCertificate.fromPEMFile(rootCertificate)
        guard !certificates.isEmpty else {
          throw WarehouseError("--database: sslrootcert \(rootCertificate) holds no PEM certificate")
        }
        configuration.trustRoots = .certificates(certificates)
      } catch let error as WarehouseError {
        throw error
      } catch {
        throw WarehouseError("--database: cannot read sslrootcert \(rootCertificate) as PEM certificates (\(error))")
      }
    }
    return configuration
  }
}
