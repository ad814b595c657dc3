/// Which units may not be recorded: exposures and events for a unit without consent are refused and counted.
///
/// The service asks before it writes a batch; ``ConsentRegistry`` answers from the consent records
/// (`POST /v1/consent`). Without consent records every unit may be recorded.
public protocol ConsentLookup: Sendable {
  /// The units among `units` whose exposures and events must be refused.
  func unitsWithoutConsent(_ units: Set<String>) async throws -> Set<String>
}
