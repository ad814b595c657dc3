import StrataAssignment
import StrataDesign
import Yams

/// Reads the `plan:` mapping of an experiment file.
enum StatisticalPlanReader {
  static let keys: Set<String> = [
    "alpha", "power", "mde", "relative", "baseline", "sd", "sides", "looks", "fractions", "spending", "daily_units",
    "n_per_variant", "method", "tau", "prior", "bayesian_scale", "pooling",
  ]
  static let poolingKeys: Set<String> = ["method", "knapp_hartung"]

  static func read(_ node: Node, _ fields: inout YAMLFields) throws(ExperimentFileError) -> StatisticalPlan {
    let map = try fields.mapping(node, "plan", allowed: keys)
    var plan = StatisticalPlan()
    if let n = map["alpha"] { plan.alpha = try fields.double(n, "plan.alpha") }
    if let n = map["power"] { plan.power = try fields.double(n, "plan.power") }
    if let n = map["mde"] { plan.minimumDetectableEffect = try fields.double(n, "plan.mde") }
    if let n = map["relative"] { plan.relative = try fields.bool(n, "plan.relative") }
    if let n = map["baseline"] { plan.baseline = try fields.double(n, "plan.baseline") }
    if let n = map["sd"] { plan.standardDeviation = try fields.double(n, "plan.sd") }
    if let n = map["sides"] { plan.sides = try fields.integer(n, "plan.sides") }
    if let n = map["looks"] { plan.looks = try fields.integer(n, "plan.looks") }
    if let n = map["fractions"] {
      var fractions: [Double] = []
      for (index, item) in try fields.sequence(n, "plan.fractions").enumerated() {
        fractions.append(try fields.double(item, "plan.fractions[\(index)]"))
      }
      plan.fractions = fractions
    }
    if let n = map["spending"] {
      let text = try fields.string(n, "plan.spending")
      do {
        plan.spending = StatisticalPlan.Spending(try SpendingFunction(parsing: text))
      } catch {
        throw fields.error("plan.spending", n, "\"\(text)\" is not obf, pocock or hsd:GAMMA")
      }
    }
    if let n = map["method"] {
      let text = try fields.string(n, "plan.method")
      guard let method = StatisticalPlan.SequentialMethod(rawValue: text) else {
        throw fields.error("plan.method", n, "\"\(text)\" is not group-sequential or always-valid")
      }
      plan.method = method
    }
    if let n = map["tau"] { plan.tau = try fields.double(n, "plan.tau") }
    if let n = map["prior"] { plan.prior = try fields.double(n, "plan.prior") }
    if let n = map["bayesian_scale"] {
      let text = try fields.string(n, "plan.bayesian_scale")
      guard let scale = StatisticalPlan.BayesianScale(rawValue: text.lowercased()) else {
        throw fields.error("plan.bayesian_scale", n, "\"\(text)\" is not relative or absolute")
      }
      plan.bayesianScale = scale
    }
    if let n = map["pooling"] {
      let pooling = try fields.mapping(n, "plan.pooling", allowed: poolingKeys)
      if let m = pooling["method"] {
        let text = try fields.string(m, "plan.pooling.method")
        guard let method = StatisticalPlan.Pooling.Method(rawValue: text.lowercased()) else {
          throw fields.error("plan.pooling.method", m, "\"\(text)\" is not reml or dl")
        }
        plan.pooling.method = method
      }
      if let k = pooling["knapp_hartung"] {
        plan.pooling.knappHartung = try fields.bool(k, "plan.pooling.knapp_hartung")
      }
    }
    if let n = map["daily_units"] { plan.dailyUnits = try fields.integer(n, "plan.daily_units") }
    if let n = map["n_per_variant"] { plan.sampleSizePerVariant = try fields.integer(n, "plan.n_per_variant") }
    return plan
  }
}
