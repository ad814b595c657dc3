/// The report's inline style sheet: system fonts only, print-friendly, readable in mail clients.
enum HTMLStyle {
  static let css = """
    :root{--ink:#1d2433;--muted:#5b6475;--line:#e3e7ee;--band:#f6f8fb;--up:#0f7b5f;--up-bg:#e6f4ef;--down:#b42318;--down-bg:#fdecea;--warn:#8a5a00;--warn-bg:#fff6e0;--accent:#2b59c3}
    *{box-sizing:border-box}
    body{margin:0;background:#eef1f6;color:var(--ink);font:15px/1.5 -apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
    main{max-width:1120px;margin:24px auto;background:#fff;border-radius:10px;box-shadow:0 1px 3px rgba(16,24,40,.08);padding:32px 40px}
    header h1{margin:2px 0 6px;font-size:28px;letter-spacing:-.01em}
    .kicker{margin:0;color:var(--muted);text-transform:uppercase;font-size:12px;letter-spacing:.08em}
    .hypothesis{margin:0 0 6px;color:var(--ink);max-width:780px}
    .meta{margin:0;color:var(--muted);font-size:13px}
    .variants{margin:8px 0 0;padding-left:18px;font-size:13px;color:#333b4d}
    code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.92em;background:var(--band);padding:1px 5px;border-radius:4px}
    .banner{margin:20px 0 0;padding:12px 16px;border-radius:8px;border:1px solid}
    .srm-ok{background:var(--up-bg);border-color:#b7e1d3;color:#0b5c47;font-size:14px}
    .srm-bad{background:var(--down);border-color:var(--down);color:#fff;font-size:16px;padding:16px 18px}
    .verdict{margin:20px 0 8px;padding:18px 22px;border-radius:8px;border-left:6px solid var(--muted);background:var(--band)}
    .verdict.positive{border-color:var(--up);background:var(--up-bg)}
    .verdict.negative{border-color:var(--down);background:var(--down-bg)}
    .verdict.inconclusive{border-color:#8b95a7}
    .verdict.untrustworthy{border-color:var(--down);background:var(--warn-bg)}
    .verdict-label{margin:0;font-size:12px;text-transform:uppercase;letter-spacing:.08em;color:var(--muted);font-weight:600}
    .headline{margin:4px 0 6px;font-size:19px;font-weight:600;line-height:1.4}
    .verdict ul{margin:6px 0 0;padding-left:20px;color:#333b4d}
    section{margin-top:30px}
    h2{font-size:19px;margin:0 0 6px;padding-bottom:6px;border-bottom:1px solid var(--line)}
    h3{font-size:15px;margin:18px 0 6px}
    .note{color:var(--muted);font-size:13px;margin:4px 0 10px}
    figure{margin:8px 0 14px}
    figcaption{color:var(--muted);font-size:12px;margin-top:2px}
    .table-wrap{overflow-x:auto}
    table{border-collapse:collapse;width:100%;font-size:12.5px;font-variant-numeric:tabular-nums}
    caption{text-align:left;color:var(--muted);padding-bottom:4px}
    th,td{padding:6px 7px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top;white-space:nowrap}
    thead th{background:var(--band);font-weight:600;color:#3a4255;font-size:12px;white-space:normal;vertical-align:bottom}
    tbody th{font-weight:600}
    .num{text-align:right}
    tr.overall th,tr.overall td{border-top:2px solid #c9d0db;font-weight:600}
    tr.overall.continued th,tr.overall.continued td{border-top:0}
    tr.significant-up td:last-child{color:var(--up);font-weight:600}
    tr.significant-down td:last-child{color:var(--down);font-weight:600}
    tr.guardrail-change td:last-child{color:var(--warn);font-weight:600}
    td:last-child{white-space:normal;min-width:96px}
    tr.underpowered td,tr.underpowered th{color:#7a8294}
    tr.mismatch th,tr.mismatch td{background:var(--down-bg);color:var(--down);font-weight:600}
    svg.forest{width:100%;height:auto;display:block;font-family:-apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,Arial,sans-serif}
    svg .band{fill:#f7f9fc}
    svg .grid{stroke:#e6e9ef;stroke-width:1}
    svg .zero{stroke:#6b7385;stroke-width:1.2;stroke-dasharray:4 3}
    svg .separator{stroke:#c9d0db;stroke-width:1}
    svg .tick,svg .axis-title{fill:#6b7385;font-size:11px}
    svg .label{fill:#1d2433;font-size:13px;font-weight:600}
    svg .sublabel{fill:#5b6475;font-size:12px}
    svg .value{fill:#1d2433;font-size:12px}
    svg .strong{font-weight:700}
    svg .ci{stroke-width:2.2;stroke-linecap:round}
    svg .ci.neutral{stroke:#8b95a7} svg .ci.up{stroke:var(--up)} svg .ci.down{stroke:var(--down)}
    svg .mark.neutral{fill:#5b6475} svg .mark.up{fill:var(--up)} svg .mark.down{fill:var(--down)}
    svg .ci.warn{stroke:#c27c00} svg .mark.warn{fill:#c27c00}
    svg .mark.hollow{fill:#fff;stroke:#5b6475;stroke-width:2}
    .warnings li{color:var(--warn)}
    .glossary dl{display:grid;grid-template-columns:220px 1fr;gap:6px 16px;font-size:13px;margin:0}
    .glossary dt{font-weight:600}
    .glossary dd{margin:0;color:#333b4d}
    footer{margin-top:32px;padding-top:12px;border-top:1px solid var(--line);color:var(--muted);font-size:12px}
    @media print{body{background:#fff}main{box-shadow:none;margin:0;max-width:none}}
    @media (max-width:700px){main{padding:18px}th,td{white-space:normal}}
    """
}
