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

  /// Event-level data: a covariate is the events of its column's name before the first exposure, over the metric's
  /// window; the query carries the same columns as the unit-level one.
  @Test(arguments: SQLDialect.allCases)
  func eventLevelQueryReadsCovariatesBeforeExposure(_ dialect: SQLDialect) throws {
    let plan = try Self.plan()
    let units = try CellQuery(plan: plan, dialect: dialect, source: .units(table: "units"))
    let events = try CellQuery(plan: plan, dialect: dialect, source: .events(exposures: "x", events: "e"))
    #expect(
      events.columns.filter { $0 != EventSchema.excludedUnitsColumn }
        == units.columns.filter { !$0.hasPrefix("dropped_") })
    let columns = try EventColumn.columns(of: plan)
    #expect(columns.map(\.event) == ["revenue", "orders", "revenue_before", "orders_before"])
    #expect(columns.map(\.period) == [.afterExposure, .afterExposure, .beforeExposure, .beforeExposure])
    #expect(events.sql.contains("'revenue_before'") && events.sql.contains("< f.exposed_at"))
  }

  /// One name cannot be a metric's events after exposure and a covariate's before it; one covariate column
  /// has one window.
  @Test func aColumnNamedLikeAPairIsRefused() throws {
    let definition = try DefinitionLoader.load(
      yaml: """
        id: clash
        variants: [control, bundle]
        metrics:
          - {name: revenue_per_order, kind: ratio, numerator: revenue, denominator: orders, missing: zero}
          - {name: odd, kind: continuous, column: revenue_x_orders, role: secondary}
        """, file: "clash.yaml")
    let error = try #require(throws: WarehouseError.self) {
      try CellQuery(plan: AnalysisPlan(definition: definition), dialect: .duckdb, source: .units(table: "units"))
    }
    #expect(error.message.contains("two columns named \"revenue_x_orders_sum\""), "\(error)")
  }

  @Test func eventLevelRefusesAmbiguousCovariates() throws {
    var plan = try Self.plan()
    plan.metrics.append(
      AnalysisPlan.Metric(name: "revenue_before", kind: .continuous, role: .secondary, missing: .zero))
    plan.crossProducts = AnalysisPlan.requiredCrossProducts(for: plan.metrics)
    #expect {
      _ = try CellQuery(plan: plan, dialect: .duckdb, source: .events(exposures: "x", events: "e"))
    } throws: { error in
      "\(error)".contains("metrics[0].covariate.numerator \"revenue_before\" is also a value of metrics[2]")
    }
    _ = try CellQuery(plan: plan, dialect: .duckdb, source: .units(table: "units"))
    plan = try Self.plan()
    plan.metrics.append(
      AnalysisPlan.Metric(
        name: "spend_30d", kind: .continuous, role: .secondary, column: "spend", missing: .zero,
        window: AttributionWindow("30d"),
        covariate: .init(column: "revenue_before", missing: .zero)))
    plan.crossProducts = AnalysisPlan.requiredCrossProducts(for: plan.metrics)
    #expect {
      _ = try CellQuery(plan: plan, dialect: .duckdb, source: .events(exposures: "x", events: "e"))
    } throws: { error in
      "\(error)".contains("whose window differs")
    }
  }
}
