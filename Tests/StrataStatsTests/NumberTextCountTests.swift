import StrataStats
import Testing

/// `NumberText.count` for every value a report can hand it: a count of 1e19 or more trapped converting to `Int64`
/// (a Bayesian risk of about 2e91 stopped `analyze --report` with exit 132), and so did `count(Int.max)`.
@Suite("Counts for people at any size")
struct NumberTextCountTests {
  @Test func ordinaryCountsHaveThousandsSeparators() {
    #expect(NumberText.count(1_234_567.0) == "1,234,567")
    #expect(NumberText.count(-1_234_567.4) == "−1,234,567")
    #expect(NumberText.count(999.5) == "1,000")
    #expect(NumberText.count(0.0) == "0")
    #expect(NumberText.count(9_007_199_254_740_992.0) == "9,007,199,254,740,992")
    #expect(NumberText.count(Double.nan) == "n/a")
  }

  @Test func countsBeyondExactDoublesAreInExponentForm() {
    #expect(NumberText.count(1e19) == "1.00e+19")
    #expect(NumberText.count(2.2237e91) == "2.22e+91")
    #expect(NumberText.count(-1e300) == "−1.00e+300")
    #expect(NumberText.count(Double.greatestFiniteMagnitude) == "1.80e+308")
  }

  @Test func everyIntIsWrittenExactly() {
    #expect(NumberText.count(Int.max) == "9,223,372,036,854,775,807")
    #expect(NumberText.count(Int.min) == "−9,223,372,036,854,775,808")
    #expect(NumberText.count(12_000) == "12,000")
    #expect(NumberText.count(-5) == "−5")
  }
}
