import StrataAnalysis
import StrataStats

/// The dashboard's consent and audit section, the endpoint list and the style it adds to the reports'.
extension DashboardPage {
  func consentSection() -> String {
    let escape = DashboardPage.escape
    let refused = { (kind: String) in consent.refused.filter { $0.kind == kind }.reduce(0) { $0 + $1.count } }
    let audit: String
    switch consent.audit {
    case .verified(.intact(let records, let head?)):
      audit =
        "<span class=\"mark-good\">✓</span> Intact: \(NumberText.count(records)) records, each holding the "
        + "SHA-256 of the one before; last record \(head.sequence), hash <code>\(escape(String(head.hash.prefix(16))))…</code>"
    case .verified(.intact):
      audit = "<span class=\"mark-neutral\">○</span> Empty: no consent change or erasure recorded yet"
    case .verified(.broken(let sequence, let reason)):
      audit =
        "<span class=\"mark-bad\">▲</span> <strong>Broken at record \(sequence)</strong>: \(escape(reason)). "
        + "The log was changed outside the service: find out how before trusting it."
    case .unavailable(let reason):
      audit = "<span class=\"mark-bad\">▲</span> Not checked: \(escape(reason))"
    }
    let broken: Bool
    if case .verified(.broken) = consent.audit { broken = true } else { broken = false }
    return """
      <section aria-labelledby="consent"><h2 id="consent">Consent and audit trail</h2>
      <dl class="facts">
      <dt>Units that withdrew consent</dt><dd>\(NumberText.count(consent.withdrawnUnits)) (never assigned again \
      by any path; held as keyed hashes, never plain ids)</dd>
      <dt>Items refused after a withdrawal</dt><dd>\(NumberText.count(refused("exposure"))) exposures, \
      \(NumberText.count(refused("event"))) events</dd>
      <dt>Units erased</dt><dd>\(NumberText.count(consent.erasedUnits)) (their exposures and events removed; \
      counted per variant above)</dd>
      <dt>Audit chain</dt><dd\(broken ? " role=\"alert\"" : "")>\(audit)</dd>
      </dl>
      <p class="note">Checked on every view of this page. To check a database yourself: \
      <code>strata audit verify --database URL</code> (exit 1 names the first broken record).</p></section>

      """
  }

  func endpointsSection() -> String {
    """
    <section aria-labelledby="endpoints"><h2 id="endpoints">JSON endpoints</h2>
    <ul class="endpoints">
    <li><a href="v1/experiments"><code>GET /v1/experiments</code></a>: the catalog served (ids, variants, \
    definition hashes)</li>
    <li><code>GET /v1/experiments/ID/results</code>: the live results as <code>strata analyze --json</code> \
    (<code>.html</code> and <code>.md</code>: the reports), linked from each experiment above</li>
    <li><code>POST /v1/experiments/ID/looks</code>: records a planned look (admin key)</li>
    <li><code>POST /v1/exposures</code>, <code>POST /v1/events</code>, <code>POST /v1/consent</code>, \
    <code>POST /v1/erasure</code>: ingestion, consent and erasure</li>
    <li><a href="openapi.yaml"><code>GET /openapi.yaml</code></a>: every endpoint, with its schema</li>
    <li><a href="readyz"><code>GET /readyz</code></a> and <a href="metrics"><code>GET /metrics</code></a>: \
    readiness and Prometheus metrics</li>
    </ul></section>

    """
  }

  /// What the dashboard adds to the reports' style sheet.
  static let css = """
    .visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
    a{color:var(--accent)}
    .interim-note,.interim{background:var(--warn-bg);border-color:#f0d9a8;color:var(--ink);font-size:14px}
    .warn{background:var(--warn-bg);border-color:#f0d9a8;color:var(--warn)}
    h3.verdict-label{margin:0;font-size:13px;text-transform:uppercase;letter-spacing:.08em;font-weight:700}
    .bar{display:block;height:6px;background:var(--line);border-radius:3px;margin-top:4px;min-width:80px}
    .bar span{display:block;height:6px;background:var(--accent);border-radius:3px}
    td.decision.positive{color:var(--up);font-weight:600}
    td.decision.negative{color:var(--down);font-weight:600}
    td.decision.untrustworthy{color:var(--warn);font-weight:600}
    td.srm-mismatch{background:var(--down-bg);color:var(--down)}
    @media (min-width:641px){td.status{white-space:nowrap}}
    .links{margin:10px 0 0;font-size:14px}
    .facts{display:grid;grid-template-columns:260px 1fr;gap:6px 16px;font-size:14px;margin:0}
    .facts dt{font-weight:600}
    .facts dd{margin:0;overflow-wrap:anywhere}
    .endpoints{font-size:14px;padding-left:20px}
    .endpoints li{margin:4px 0;overflow-wrap:anywhere}
    .cell{display:block}
    @media (max-width:640px){.facts{grid-template-columns:1fr}.facts dd{margin-bottom:6px}
    tbody th .cell,tbody td .cell{min-width:0}}
    """
}
