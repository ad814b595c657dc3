import PostgresNIO
import StrataWarehouse

/// How a `postgresql://` connection uses TLS: the URL's `sslmode` and `sslrootcert` as ``DatabaseURL`` reads them
/// (libpq's meanings, the same for every command).
public typealias PostgresTLSMode = DatabaseURL.TLSMode

extension DatabaseURL.TLSMode {
  /// postgres-nio's TLS setting for the pooled client; reads the CA file (the error names it).
  func clientTLS(rootCertificate: String?) throws(StoreLocationError) -> PostgresClient.Configuration.TLS {
    do {
      return try postgresClientTLS(rootCertificate: rootCertificate)
    } catch {
      throw StoreLocationError(description: error.message)
    }
  }

  /// The same setting for one connection (``PostgresLocation/checkConnection(timeout:)``).
  func connectionTLS(rootCertificate: String?) throws(StoreLocationError) -> PostgresConnection.Configuration.TLS {
    do {
      return try postgresConnectionTLS(rootCertificate: rootCertificate)
    } catch {
      throw StoreLocationError(description: error.message)
    }
  }
}
