import StrataAnalysis
import StrataDefinitions
import Testing

@testable import StrataWarehouse

/// A definition with a ratio metric and covariates: the query reads each column once and carries the
/// cross-products the analysis needs, with no `--cross-product` flag.
@Suite struct RatioCovariateQueryTests {
  static func plan() throws -> AnalysisPlan {
    let definition = try DefinitionLoader.load(
      yaml: """
        id: basket
        variants: [control, bundle]
        metrics:
          - name: revenue_per_order
            kind: ratio
            numerator: revenue
            denominator: orders
            missing: zero
            covariate: {numerator: revenue_before, denominator: orders_before, missing: zero}
          - {name: spend, kind: continuous, column: revenue, missing: zero}
        """, file: "basket.yaml")
    return AnalysisPlan(definition: definition)
  }

  @Test(arguments: SQLDialect.allCases)
  func unitLevelQueryCarriesTheCrossProducts(_ dialect: SQLDialect) throws {
    let query = try CellQuery(plan: try Self.plan(), dialect: dialect, source: .units(table: "units"))
    for column in ["revenue", "orders", "revenue_before", "orders_before"] {
      #expect(query.columns.filter { $0 == column + "_sum" }.count == 1)
      #expect(query.columns.contains(column + "_shift"))
    }
    let pairs = query.columns.filter { $0.hasSuffix("_sum") && $0.contains("_x_") }
    #expect(
      pairs == [
        "revenue_x_orders_sum", "revenue_x_revenue_before_sum", "revenue_x_orders_before_sum",
        "orders_x_revenue_before_sum", "orders_x_orders_before_sum", "revenue_before_x_orders_before_sum",
      ])
  }

  @Test func eventLevelDataHasNoPrePeriodColumn() throws {
    #expect {
      _ = try CellQuery(plan: try Self.plan(), dialect: .duckdb, source: .events(exposures: "x", events: "e"))
    } throws: { error in
      "\(error)".contains("covariate")
    }
    var plan = try Self.plan()
    plan.metrics[0].covariate = nil
    plan.crossProducts = AnalysisPlan.requiredCrossProducts(for: plan.metrics)
    let query = try CellQuery(plan: plan, dialect: .duckdb, source: .events(exposures: "x", events: "e"))
    #expect(query.columns.contains("revenue_x_orders_sum"))
    #expect(query.sql.contains("'orders'"))
  }
}
