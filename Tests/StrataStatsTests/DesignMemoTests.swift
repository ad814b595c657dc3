import StrataDesign
import Testing

@testable import StrataStats

/// The process-wide memo of design integrations returns exactly what the integration gives, keeps
/// designs apart (including the grid), and never keeps a failure.
@Suite("Design memo")
struct DesignMemoTests {
  @Test func memoisedBoundariesEqualTheIntegration() throws {
    let design = try GroupSequentialDesign(
      looks: 4, fractions: nil, alpha: 0.0173, alternative: .twoSided, spending: .obrienFleming)
    let first = try design.boundaries()
    #expect(DesignMemo.shared.boundaries(of: design) == first)
    #expect(try design.boundaries() == first)
    #expect(try design.integratedBoundaries() == first)
    var fine = design
    fine.gridParameter *= 2
    #expect(try fine.boundaries() == fine.integratedBoundaries())
    #expect(try fine.boundaries() != first, "a finer grid is a different design")
  }

  @Test func memoisedInflationEqualsTheSolve() throws {
    let design = try GroupSequentialDesign(
      looks: 3, fractions: [0.3, 0.6, 1], alpha: 0.0231, alternative: .greater, spending: .pocock)
    let factor = try design.inflationFactor(power: 0.83)
    #expect(DesignMemo.shared.inflationFactor(.init(design: design, power: 0.83)) == factor)
    let boundaries = try design.integratedBoundaries()
    let drift = try design.drift(forPower: 0.83, boundaries: boundaries)
    let fixed = try design.fixedDesignDrift(power: 0.83)
    #expect(factor == (drift / fixed) * (drift / fixed))
    #expect(try design.inflationFactor(power: 0.9) != factor, "power is part of the key")
  }
}
