import StrataAssignment

/// The deterministic split of an audience into a discovery half and a confirmation half.
///
/// ```
/// bucket = MurmurHash3_x86_32(UTF-8 of "discover:" + salt + ":" + unit, seed 0) mod 10000
/// half   = discovery when bucket < 5000, else confirmation
/// ```
/// The same hash as assignment (docs/assignment-spec.md §1) with its own key prefix, so the split is independent
/// of every variant, layer and holdout hash, and any implementation can recompute it (test vectors in
/// `Tests/StrataDiscoveryTests/Fixtures/split-cases.json`, written by `Scripts/fixtures/discovery_split.py` and
/// checked against the `mmh3` package). Segments are found on the discovery half only; effects are then tested on
/// the confirmation half (or in the next campaign), which the discovery never saw.
public struct HonestSplit: Sendable, Hashable {
  /// Which half a unit is in.
  public enum Half: String, Sendable, Hashable, CaseIterable {
    case discovery, confirmation
  }

  /// The split's own salt (changing it redraws the halves).
  public let salt: String

  public init(salt: String) throws(DiscoveryError) {
    guard !salt.isEmpty else { throw DiscoveryError(field: "split-salt", message: "the split salt must not be empty") }
    self.salt = salt
  }

  /// The hash key of `unit`: `discover:<salt>:<unit>`.
  public func key(_ unit: String) -> String { "discover:" + salt + ":" + unit }

  /// The unit's bucket, 0..<10000.
  public func bucket(_ unit: String) -> Int { Int(MurmurHash3.x86_32(key(unit)) % 10_000) }

  /// The unit's half.
  public func half(_ unit: String) -> Half { bucket(unit) < 5_000 ? .discovery : .confirmation }

  /// The half of the unit whose id is these UTF-8 bytes (as read from a file), its key built in `scratch` (reused
  /// from call to call) rather than as text.
  public func half<Bytes: Collection<UInt8>>(bytes unit: Bytes, scratch: inout [UInt8]) -> Half {
    scratch.removeAll(keepingCapacity: true)
    scratch.append(contentsOf: "discover:".utf8)
    scratch.append(contentsOf: salt.utf8)
    scratch.append(0x3A)
    scratch.append(contentsOf: unit)
    return Int(MurmurHash3.x86_32(scratch) % 10_000) < 5_000 ? .discovery : .confirmation
  }
}
