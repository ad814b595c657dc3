import Foundation
import StrataAnalysis
import StrataReport
import StrataStats

/// `GET /`: the dashboard, one server-rendered HTML page (no script, no external asset) with every experiment
/// served: its stored exposures and events per variant, the current result per segment, the sample-ratio check,
/// the sequential look status and the guard against acting on interim numbers, then consent and the audit chain,
/// and links to the reports and JSON endpoints.
///
/// The service holds no statistics of its own: each experiment's ``Experiment/State/analysed(_:)`` is the live
/// results' `Analysis` (the same as `strata analyze`), worded by `DecisionText` and tabulated by `ReportTables`.
/// Every text from definitions and data goes through the reports' escaping, and the page uses the reports' style
/// sheet (contrast, phone cards, print), so it passes the same accessibility checks.
public struct DashboardPage: Sendable {
  /// One experiment of the catalog.
  public struct Experiment: Sendable {
    public enum State: Sendable {
      /// The live analysis (an interim view between planned looks).
      case analysed(Analysis)
      /// No exposure is stored yet.
      case waiting
      /// Data is stored but cannot be analysed yet (why).
      case notAnalysable(String)
      /// The database did not answer.
      case unavailable(String)
    }

    public var id: String
    public var name: String
    /// Variant keys in definition order, with their descriptions.
    public var variants: [(key: String, description: String?)]
    /// What is stored per variant (nil: the database did not answer).
    public var activity: [VariantActivity]?
    /// Units erased per variant (right to erasure).
    public var erased: [String: Int]
    public var plannedLooks: Int
    /// The recorded planned looks (current records), by look number.
    public var looks: [LookRecord]
    public var state: State

    public init(
      id: String, name: String, variants: [(key: String, description: String?)], activity: [VariantActivity]?,
      erased: [String: Int], plannedLooks: Int, looks: [LookRecord], state: State
    ) {
      self.id = id
      self.name = name
      self.variants = variants
      self.activity = activity
      self.erased = erased
      self.plannedLooks = plannedLooks
      self.looks = looks
      self.state = state
    }

    /// The live analysis, when there is one.
    var analysis: Analysis? {
      if case .analysed(let analysis) = state { return analysis }
      return nil
    }
  }

  /// Consent and the audit trail.
  public struct Consent: Sendable {
    public enum Audit: Sendable {
      case verified(AuditVerification)
      case unavailable(String)
    }

    /// Units whose latest consent change withdrew consent.
    public var withdrawnUnits: Int
    /// Exposures and events refused because their unit had withdrawn consent.
    public var refused: [RefusedItemCount]
    /// Units erased, over every experiment and variant.
    public var erasedUnits: Int
    public var audit: Audit

    public init(withdrawnUnits: Int, refused: [RefusedItemCount], erasedUnits: Int, audit: Audit) {
      self.withdrawnUnits = withdrawnUnits
      self.refused = refused
      self.erasedUnits = erasedUnits
      self.audit = audit
    }
  }

  public var experiments: [Experiment]
  public var consent: Consent
  public var catalogETag: String
  /// ISO 8601 UTC.
  public var generatedAt: String
  /// `sqlite` or `postgresql`.
  public var backend: String

  public init(experiments: [Experiment], consent: Consent, catalogETag: String, generatedAt: String, backend: String) {
    self.experiments = experiments
    self.consent = consent
    self.catalogETag = catalogETag
    self.generatedAt = generatedAt
    self.backend = backend
  }

  static func escape(_ text: String) -> String { ReportHTML.escape(text) }

  /// A service path relative to the dashboard (`v1/experiments/ID/results.html`), escaped for an attribute.
  static func link(_ id: String, _ suffix: String) -> String {
    let allowed = CharacterSet.urlPathAllowed.subtracting(CharacterSet(charactersIn: "/?#;"))
    let path = id.addingPercentEncoding(withAllowedCharacters: allowed) ?? id
    return escape("v1/experiments/\(path)\(suffix)")
  }

  /// The anchor of an experiment's section.
  static func anchor(_ index: Int) -> String { "experiment-\(index + 1)" }

  /// The page.
  public func render() -> String {
    let running = experiments.filter { $0.analysis != nil }.count
    var html = """
      <!DOCTYPE html>
      <html lang="en"><head><meta charset="utf-8"/><meta name="viewport" content="width=device-width, initial-scale=1"/>
      <title>Strata service: experiments</title><style>\(ReportHTML.styleSheet)\(DashboardPage.css)</style></head>
      <body><main>
      <header><p class="kicker">Strata service · dashboard</p><h1>Experiments</h1>
      <p class="meta">\(NumberText.count(experiments.count)) in the catalog, \(NumberText.count(running)) with \
      analysable data · data in \(DashboardPage.escape(backend)) · as of \(DashboardPage.escape(generatedAt)) · \
      catalog <code>\(DashboardPage.escape(String(catalogETag.prefix(12))))</code></p></header>
      <div class="banner interim-note" role="note"><strong>Viewing is never a look.</strong> Between planned \
      looks every result here is an interim view: the decision uses always-valid p-values and intervals, the \
      naive p-values of the primary metric are withheld, and nothing is recorded. Do not act on interim \
      numbers; a planned look is recorded only by <code>POST /v1/experiments/ID/looks</code>.</div>

      """
    html += overview()
    for (index, experiment) in experiments.enumerated() { html += section(experiment, index: index) }
    html += consentSection() + endpointsSection()
    html += """
      <footer><p>Strata · each experiment's results are those of <code>strata analyze</code> over the stored \
      exposures and events (the same analysis, JSON and reports) · generated \(DashboardPage.escape(generatedAt))\
      </p></footer>
      </main></body></html>

      """
    return html
  }

  /// The overview table: one row per experiment.
  func overview() -> String {
    var html = """
      <section aria-labelledby="overview"><h2 id="overview">Overview</h2>
      <div class="table-wrap"><table class="dashboard"><caption>Every experiment served, with its live status\
      </caption><thead><tr><th scope="col">Experiment</th><th scope="col">Status</th>\
      <th scope="col" class="num">Units so far</th><th scope="col">Sample ratio</th>\
      <th scope="col">Current decision</th><th scope="col">Planned looks</th></tr></thead><tbody>
      """
    for (index, experiment) in experiments.enumerated() { html += overviewRow(experiment, index: index) }
    if experiments.isEmpty {
      html +=
        "<tr><td colspan=\"6\" data-label=\"Experiments\">No experiment is served: add a definition to the experiments directory.</td></tr>"
    }
    return html + "</tbody></table></div></section>\n"
  }
}
