import StrataAssignment
import StrataDefinitions
import Testing

/// `kind: ratio` with `numerator:`/`denominator:` and `covariate:` (a column, or `{numerator:, denominator:}`
/// on a ratio, with its own `missing:`): what loads, what the YAML writer keeps, and every error naming the
/// file, line and field.
@Suite("Ratio metrics and covariates in definitions")
struct RatioCovariateDefinitionTests {
  static let header = "id: basket\nvariants: [control, treatment]\nmetrics:\n"

  @Test("a ratio with a ratio covariate and a mean with a column covariate load and survive the writer")
  func loads() throws {
    let yaml =
      Self.header + """
          - name: revenue_per_order
            kind: ratio
            numerator: revenue
            denominator: orders
            missing: zero
            covariate: {numerator: revenue_before, denominator: orders_before, missing: zero}
          - name: spend
            kind: continuous
            column: revenue
            role: secondary
            missing: zero
            covariate: {column: revenue_before, missing: zero}
          - name: converted
            kind: binomial
            role: guardrail
            covariate: {column: converted_before, missing: zero}
        """
    let definition = try DefinitionLoader.load(yaml: yaml, file: "basket.yaml")
    let ratio = definition.metrics[0]
    #expect(ratio.kind == .ratio(numerator: "revenue", denominator: "orders"))
    #expect(ratio.valueColumns == ["revenue", "orders"])
    #expect(
      ratio.covariate == Metric.Covariate(numerator: "revenue_before", denominator: "orders_before", missing: .zero))
    #expect(ratio.ratioLabel == "revenue per order")
    #expect(definition.metrics[1].covariate == Metric.Covariate(column: "revenue_before", missing: .zero))
    #expect(definition.metrics[2].covariate == Metric.Covariate(column: "converted_before", missing: .zero))
    #expect(definition.metrics.map(\.needsJointMoments) == [true, true, true])
    let again = try DefinitionLoader.load(yaml: ExperimentYAMLWriter.yaml(for: definition), file: "again.yaml")
    #expect(again.metrics == definition.metrics)
  }

  @Test("covariates: (Lin's regression) loads in both spellings, survives the writer and adds no cross-products")
  func regressionLoads() throws {
    let yaml =
      Self.header + """
          - name: spend
            kind: continuous
            covariates: [visits_before, spend_before]
          - name: renewed
            kind: binomial
            covariates: {columns: [tenure_before], errors: hc3, missing: zero}
        """
    let definition = try DefinitionLoader.load(yaml: yaml, file: "lin.yaml")
    #expect(definition.metrics[0].regression == Metric.Regression(columns: ["visits_before", "spend_before"]))
    #expect(
      definition.metrics[1].regression == Metric.Regression(columns: ["tenure_before"], missing: .zero, errors: .hc3))
    #expect(definition.metrics.allSatisfy { $0.needsJointMoments && !$0.needsCrossProducts && $0.covariate == nil })
    #expect(definition.metrics[0].columnUses.map(\.part) == [.value, .covariates, .covariates])
    let again = try DefinitionLoader.load(yaml: ExperimentYAMLWriter.yaml(for: definition), file: "again.yaml")
    #expect(again.metrics == definition.metrics)
  }

  @Test(
    "errors name the file, line and field",
    arguments: [
      ("  - {name: r, kind: ratio, numerator: a}\n", "d.yaml:4: metrics[0].kind: a ratio metric needs numerator:"),
      (
        "  - {name: r, kind: ratio, numerator: a, denominator: b, column: c}\n",
        "d.yaml:4: metrics[0].column: a ratio metric reads numerator: and denominator:, not column:"
      ),
      (
        "  - {name: r, kind: ratio, numerator: a, denominator: a}\n",
        "d.yaml:4: metrics[0].denominator: is the numerator"
      ),
      (
        "  - {name: m, kind: continuous, numerator: a}\n", "d.yaml:4: metrics[0].numerator: numerator: belongs to ratio"
      ),
      (
        "  - {name: m, kind: ratios}\n",
        "d.yaml:4: metrics[0].kind: \"ratios\" is not one of binomial, continuous, ratio"
      ),
      (
        "  - name: r\n    kind: ratio\n    numerator: a\n    denominator: b\n    covariate: a_before\n",
        "d.yaml:8: metrics[0].covariate: a ratio metric's covariate needs a numerator and a denominator"
      ),
      (
        "  - name: r\n    kind: ratio\n    numerator: a\n    denominator: b\n    covariate: {column: x}\n",
        "d.yaml:8: metrics[0].covariate.column: a ratio metric's covariate has a numerator: and a denominator:"
      ),
      (
        "  - name: m\n    kind: continuous\n    covariate: {numerator: x, denominator: y}\n",
        "d.yaml:6: metrics[0].covariate.numerator: only a ratio metric's covariate"
      ),
      (
        "  - {name: m, kind: continuous, covariate: m}\n",
        "d.yaml:4: metrics[0].covariate: \"m\" is the metric's own column"
      ),
      (
        "  - name: m\n    kind: continuous\n    covariate: {column: x, missing: fill}\n",
        "d.yaml:6: metrics[0].covariate.missing: \"fill\" is not one of exclude, zero"
      ),
      (
        "  - name: m\n    kind: continuous\n    covariate: {column: x, lag: 7}\n",
        "d.yaml:6: metrics[0].covariate.lag: unknown key \"lag\""
      ),
      (
        "  - {name: revenue, kind: continuous}\n  - {name: r, kind: ratio, numerator: revenue, denominator: o, missing: zero}\n",
        "d.yaml:5: metrics[1].missing: column \"revenue\" is read with missing: zero here but missing: exclude by metrics[0]"
      ),
    ])
  func errors(metrics: String, prefix: String) {
    #expect {
      _ = try DefinitionLoader.load(yaml: Self.header + metrics, file: "d.yaml")
    } throws: { error in
      "\(error)".hasPrefix(prefix)
    }
  }
}
