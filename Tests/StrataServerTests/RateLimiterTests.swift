import Testing

@testable import StrataServer

/// The token bucket on a given clock: no timing, so it holds on a loaded machine.
struct RateLimiterTests {
  @Test func aBurstOfTwiceTheRatePassesThenTheBucketRefillsAtTheRate() {
    let limiter = RateLimiter(rate: 5)
    let start: UInt64 = 1_000_000_000
    for _ in 0..<10 { #expect(limiter.take("a", now: start) == nil) }
    #expect(limiter.take("a", now: start) == 1)
    // 0.2 s later one token is back, and only one.
    #expect(limiter.take("a", now: start + 200_000_000) == nil)
    #expect(limiter.take("a", now: start + 200_000_000) != nil)
    // Another key has its own bucket.
    #expect(limiter.take("b", now: start) == nil)
  }

  @Test func retryAfterIsTheWholeSecondsUntilTheNextToken() {
    let limiter = RateLimiter(rate: 0.25)
    #expect(limiter.take("a", now: 0) == nil)
    #expect(limiter.take("a", now: 0) == 4)
    #expect(limiter.take("a", now: 2_000_000_000) == 2)
    #expect(RateLimiter(rate: 0).take("a", now: 0) == nil)
  }
}
