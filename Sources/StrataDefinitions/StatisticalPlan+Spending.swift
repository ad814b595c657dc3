import StrataDesign

extension StatisticalPlan.Spending {
  /// The plan's spelling of a spending function.
  public init(_ function: SpendingFunction) {
    switch function {
    case .obrienFleming: self = .obrienFleming
    case .pocock: self = .pocock
    case .hwangShihDeCani(let gamma): self = .hwangShihDeCani(gamma: gamma)
    }
  }

  /// The spending function StrataStats computes with.
  public var spendingFunction: SpendingFunction {
    switch self {
    case .obrienFleming: return .obrienFleming
    case .pocock: return .pocock
    case .hwangShihDeCani(let gamma): return .hwangShihDeCani(gamma: gamma)
    }
  }
}
