import Synchronization

/// Which units have withdrawn consent, held in memory for every request to ask.
///
/// Loaded from the store at start (``StrataService/openConsent()``) and kept current: by this server's own
/// `POST /v1/consent`, and by polling the store every reload interval for changes made by other servers sharing the
/// database. Units are held by their keyed hash (``AuditKey/hash(unit:)``), never as plain ids; asking costs nothing
/// while no unit has withdrawn consent, and one HMAC-SHA256 (about a microsecond) otherwise.
///
/// Every assignment path asks it (`isRefused(unit:)` → the unit gets reason `no_consent`). Ingestion does not: the
/// store reads consent inside the ingestion transaction (``ConsentCheck``), so a withdrawal recorded by another
/// server sharing the database, or committed while a batch waited, refuses the unit's rows all the same.
public final class ConsentRegistry: Sendable {
  private struct State {
    var key: AuditKey?
    /// Keyed hashes of the units whose latest consent change withdrew consent.
    var refused: Set<String> = []
    /// The audit sequence of the state applied for each refused unit and each grant not yet read back by a poll
    /// (so an older state read by a slow poll never undoes a newer one recorded here).
    var applied: [String: Int] = [:]
    /// The highest audit sequence read from the store by a poll (what the next poll asks after).
    var polled = 0
  }

  private let state = Mutex(State())

  public init() {}

  /// Whether `unit` has withdrawn consent (false until the registry is opened).
  public func isRefused(unit: String) -> Bool {
    let key: AuditKey? = state.withLock { $0.refused.isEmpty ? nil : $0.key }
    guard let key else { return false }
    let hash = key.hash(unit: unit)
    return state.withLock { $0.refused.contains(hash) }
  }

  /// The audit key (nil until the registry is opened).
  public var key: AuditKey? { state.withLock { $0.key } }

  /// The keyed hash of a unit id (nil until the registry is opened).
  public func hash(unit: String) -> String? {
    state.withLock { $0.key }?.hash(unit: unit)
  }

  /// Whether this server knows of any consent change (read from the store, or recorded here): then ingestion's
  /// handlers make the keyed hashes of their batches' units before the batches reach the writer (``ConsentCheck``).
  public var knowsChanges: Bool { state.withLock { $0.polled > 0 || !$0.applied.isEmpty || !$0.refused.isEmpty } }

  /// How many units have withdrawn consent.
  public var refusedCount: Int { state.withLock { $0.refused.count } }

  /// The highest audit sequence read from the store so far.
  var polled: Int { state.withLock { $0.polled } }

  /// Sets the key (once, at start).
  func open(key: AuditKey) {
    state.withLock { $0.key = key }
  }

  /// Applies consent states; a state older than the one applied for its unit is skipped.
  ///
  /// `polled`: the states are a poll of the store, which moves the poll mark to the highest sequence among them.
  /// A state recorded here (`polled` false) at or below the poll mark is skipped too: audit sequences commit in order,
  /// so a poll that read past it read the unit's row after it committed, and applied that state or a newer one. (A
  /// grant read back by a poll is forgotten, so without this a withdrawal answered late, after a newer grant of the
  /// same unit had been polled, refused the unit here for good while the store said granted.)
  func apply(_ states: [ConsentState], polled: Bool) {
    state.withLock { state in
      for change in states {
        if polled {
          state.polled = max(state.polled, change.sequence)
        } else if change.sequence <= state.polled {
          continue
        }
        guard change.sequence >= state.applied[change.unit, default: 0] else { continue }
        if change.granted {
          state.refused.remove(change.unit)
          // A grant read back by a poll is settled: forget the unit (memory stays proportional to refusals).
          if polled { state.applied[change.unit] = nil } else { state.applied[change.unit] = change.sequence }
        } else {
          state.refused.insert(change.unit)
          state.applied[change.unit] = change.sequence
        }
      }
    }
  }
}
