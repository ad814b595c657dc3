import Foundation
import Synchronization

/// A token bucket per API key: `rate` requests a second on average, bursts up to `burst`.
///
/// A request over the limit is refused with 429 and the seconds to wait (`Retry-After`).
public final class RateLimiter: Sendable {
  public let rate: Double
  public let burst: Double

  private struct Bucket {
    var tokens: Double
    var updated: UInt64
  }

  private let buckets = Mutex<[String: Bucket]>([:])

  /// `rate` 0 turns limiting off.
  public init(rate: Double, burst: Double? = nil) {
    self.rate = rate
    self.burst = burst ?? max(1, rate * 2)
  }

  /// Takes one token for `key`; nil when allowed, else the whole seconds to wait (at least 1).
  public func take(_ key: String, now: UInt64 = DispatchTime.now().uptimeNanoseconds) -> Int? {
    guard rate > 0 else { return nil }
    return buckets.withLock { buckets in
      var bucket = buckets[key] ?? Bucket(tokens: burst, updated: now)
      let elapsed = Double(now &- bucket.updated) / 1e9
      bucket.tokens = min(burst, bucket.tokens + elapsed * rate)
      bucket.updated = now
      if bucket.tokens >= 1 {
        bucket.tokens -= 1
        buckets[key] = bucket
        return nil
      }
      buckets[key] = bucket
      return max(1, Int(((1 - bucket.tokens) / rate).rounded(.up)))
    }
  }
}
