/// The report's inline style sheet: system fonts only, readable in mail clients, on a phone and on paper.
///
/// - Colour follows classes (`tr.significant-up td.highlight`), never a column's position.
/// - Text meets WCAG AA contrast (4.5:1; muted text #4f5868 on white is 7:1, on the band 6.4:1);
///   significance is also said in words and shapes (▲ ▼, filled or hollow marks), not by hue alone.
/// - Wide screens: numbers never wrap inside a cell; a numeric column's header may (in print too), so a wide
///   table fits before it has to scroll sideways; a word of more than 24 characters in a cell or a header (a
///   segment's, variant's or metric's identifier) breaks after its `_`, `.`, `/`, `:` or `-` and at least every 16
///   characters (`HTML.breakable`'s `<wbr/>`), so that it wraps instead of widening the table past the 1,040 px
///   text column (a 91-character segment name or an 84-character variant name made a results table 1,366-1,699 px
///   wide at 1,280 px); other words never break (a row's name breaking anywhere cut "All segments" in a squeezed
///   column). The look log is two tables, the looks and then each comparison's z per look
///   (`ReportTables.lookLogTables`; one z column per comparison was 1,981 px wide for 14 comparisons), each no
///   wider than it needs (`width: auto`, half the column at least), so that a comparison's name stays near its z.
///   A results, Bayesian-summary, adjusted or partial-pooling table with a segment's name over 40 characters
///   (`HTML.groupedTable`, `table.grouped`) has the name on a row of its own (`tr.group`, no rule under it) and its
///   variants' rows below, their names indented.
/// - Phones and tablets (screens ≤ 800 px): a forest plot is the chart laid out for a phone
///   (`ForestPlot.renderPhone`, `.forest-phone`: labels above their row, the scale across the screen, no sideways
///   scroll; at most 420 px wide, its text at most 15 px) instead of the wide one (`.forest-wide`, 760 units: below
///   about 780 px its 12-unit text scales under 11 px, 9.8 px at 700), and the sequential boundary and lift charts
///   scroll sideways inside their figure at their full size (a line above each says so, and their legend is copied
///   above them, `.phone-only`); every table becomes a list of cards (each cell labelled by its column header
///   from `data-label`; a results table is 820-950 px wide, so that as a table at 700-800 px it hid its p-values
///   and flags beyond a sideways scroll), and a card's long labels and values wrap (at spaces first, anywhere if
///   one word is still too long) instead of being cut at the card's edge. A cell with nothing in it is left out of
///   its card (`:empty`), not shown as its label alone: a partial-pooling card's "Note" with no note, a variant's
///   "χ²", "p" and "Holm p" in the sample ratio table (said on its segment's row). A value on one line sits at the card's
///   right edge, opposite its label (the flex row's `space-between`); a value of words that wraps reads
///   left-aligned, each line from the same edge (`text-align: left`; right-aligned, a segment's profile at 900 px
///   read ragged at its left), and a number stays right-aligned (`.num`). A grouped table's segment name heads
///   its variants' cards ("Segment: …", left-aligned); at 801-1,100 px a segment of one variant is a column of
///   the grid, one of several spans the grid with its cards abreast. A table of a name and a number a row
///   (`table.pairs`: the post-stratified estimates' segment weights when they are a table of their own) stays a
///   table (1,641 px at 390 px for 30 segments' 75-character names, the name wrapping beside its share).
/// - Small laptops and tablets in landscape (801-1,100 px): tables are cards too, two or more abreast (as
///   tables the results tables, 820-950 px, and a look log, up to 1,014 px, scrolled sideways in the 721-1,020 px
///   text column, p-values and flags out of sight); the wide forest plot is shown from 801 px.
/// - Phones (≤ 640 px): a factorial interaction plot wider than the screen scrolls sideways (text ≥ 11 px; a
///   line above it says so, as only its left part shows); a word too long for its line (a file path) breaks;
///   nothing widens the page.
/// - Print: landscape, no scrollbars or shadows, tables shrink to fit instead of being clipped (the look
///   log's comparisons are rows, `ReportTables.lookLogTables`, so that it is no wider than the page however many
///   comparisons and Chromium does not scale the whole page down), and figures, table rows, the verdict's headline and bullets and tables of up to 12 rows are never
///   split across pages (nor a grouped table's segment, its name with its rows): charts print at most 200 mm wide (12-unit chart text at 9 pt) and 140 mm tall, and a
///   forest plot taller than `ForestPlot.printBlockHeight` prints as blocks of rows instead of the whole
///   (`.print-only`; each block a complete chart on the whole chart's scale under a line naming the metric and
///   the block, "(2 of 3)", kept whole), so that it breaks
///   between blocks and its text is never scaled below 7 pt. What introduces content (headings, captions, a
///   table's header, a `<summary>`, a paragraph right before a figure, table or list, kept whole) stays on the
///   page of what it introduces (`break-after: avoid`, which Chromium honours; before a table that it moves
///   whole to the next page only when the table is kept whole too). Scripts/check_reports.py checks the
///   printed pages: no lead-in ending a page, no text under 7 pt, no page but the last less than a third used.
/// - The factorial interaction plot's legend is HTML above the chart, so it shows on a phone, where the
///   chart keeps its own width (its inline `min-width`: 360 px for two levels, which fit) and scrolls sideways
///   when wider (`wide`, with the line saying so). A legend entry breaks anywhere when one word of it is wider
///   than the screen (a 62-character factor level ran to 431 px on a 390 px phone).
///   The sequential boundary and lift charts keep their legend at their right edge and, on phones and tablets
///   only, show a copy above the chart (`.phone-only`).
enum HTMLStyle {
  static let css = """
    :root{--ink:#1d2433;--muted:#4f5868;--line:#e3e7ee;--band:#f6f8fb;--up:#0b6b52;--up-bg:#e6f4ef;--down:#a61d14;--down-bg:#fdecea;--warn:#7a4f00;--warn-bg:#fff6e0;--accent:#2b59c3}
    *{box-sizing:border-box}
    body{margin:0;background:#eef1f6;color:var(--ink);font:15px/1.5 -apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;overflow-wrap:break-word}
    main{max-width:1120px;margin:24px auto;background:#fff;border-radius:10px;box-shadow:0 1px 3px rgba(16,24,40,.08);padding:28px 40px}
    header h1{margin:2px 0 4px;font-size:26px;letter-spacing:-.01em;overflow-wrap:anywhere}
    .kicker{margin:0;color:var(--muted);text-transform:uppercase;font-size:12px;letter-spacing:.08em;overflow-wrap:anywhere}
    .hypothesis{margin:0 0 4px;color:var(--ink);max-width:780px;font-size:14px}
    .meta{margin:0;color:var(--muted);font-size:13px;overflow-wrap:anywhere}
    .variants{margin:8px 0 0;padding-left:18px;font-size:13px;color:#333b4d;overflow-wrap:anywhere}
    code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.92em;background:var(--band);padding:1px 5px;border-radius:4px;overflow-wrap:anywhere}
    .banner{margin:14px 0 0;padding:10px 14px;border-radius:8px;border:1px solid}
    .srm-ok{background:var(--up-bg);border-color:#b7e1d3;color:#0b5c47;font-size:13px}
    .srm-bad{background:var(--down);border-color:var(--down);color:#fff;font-size:16px;padding:16px 18px}
    .verdict{margin:14px 0 8px;padding:16px 22px;border-radius:8px;border-left:6px solid #8b95a7;background:var(--band)}
    .verdict.positive{border-color:var(--up);background:var(--up-bg)}
    .verdict.negative{border-color:var(--down);background:var(--down-bg)}
    .verdict.untrustworthy{border-color:var(--down);background:var(--warn-bg)}
    h2.verdict-label{margin:0;padding:0;border:0;font-size:13px;text-transform:uppercase;letter-spacing:.08em;color:var(--ink);font-weight:700}
    .headline{margin:4px 0 6px;font-size:19px;font-weight:600;line-height:1.4;overflow-wrap:break-word}
    .verdict ul{margin:6px 0 0;padding-left:20px;color:#2b3344}
    .next-step{margin:8px 0 0}
    details{margin-top:8px}
    summary{cursor:pointer;color:var(--accent);font-weight:600}
    details ul{font-size:14px}
    .scorecard{margin:10px 0 0}
    section{margin-top:30px}
    h2{font-size:19px;margin:0 0 6px;padding-bottom:6px;border-bottom:1px solid var(--line);overflow-wrap:anywhere}
    h3{font-size:15px;margin:18px 0 6px;overflow-wrap:anywhere}
    .note{color:var(--muted);font-size:13px;margin:4px 0 10px}
    .sequential-reason{font-weight:600;margin:6px 0}
    figure{margin:8px 0 14px;overflow-x:auto}
    figcaption{color:var(--muted);font-size:12px;margin-top:2px}
    .print-only{display:none}
    .forest-phone{display:none}
    .chart-legend{list-style:none;margin:0 0 4px;padding:0;display:flex;flex-wrap:wrap;gap:2px 18px;font-size:13px}
    .chart-legend li{overflow-wrap:anywhere}
    .chart-legend .swatch{display:inline-block;width:22px;border-top:3px solid;vertical-align:middle;margin-right:6px}
    .phone-only{display:none}
    .table-wrap{overflow-x:auto}
    .table-wrap+.table-wrap{margin-top:16px}
    .look-log table{width:auto;min-width:50%}
    .look-log thead th.num{white-space:nowrap}
    table.pairs{width:auto;min-width:50%}
    table{border-collapse:collapse;width:100%;font-size:12.5px;font-variant-numeric:tabular-nums}
    caption{text-align:left;color:var(--muted);padding-bottom:4px}
    th,td{padding:6px 7px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top;overflow-wrap:break-word}
    td.num,th.num{white-space:nowrap;overflow-wrap:normal}
    thead th.num{white-space:normal}
    thead th{background:var(--band);font-weight:600;color:#2b3344;font-size:12px;vertical-align:bottom}
    tbody th{font-weight:600}
    .num{text-align:right}
    tr.overall th,tr.overall td{border-top:2px solid #c9d0db;font-weight:600}
    tr.overall.continued th,tr.overall.continued td{border-top:0}
    table.grouped tr.group th{border-bottom:0;padding-bottom:0}
    table.grouped tbody tr:not(.group):not(.overall) th{font-weight:400}
    @media print,screen and (min-width:1101px){table.grouped tbody tr:not(.group) th{padding-left:18px}}
    tr.significant-up td.highlight{color:var(--up);font-weight:700}
    tr.significant-down td.highlight{color:var(--down);font-weight:700}
    tr.guardrail-change td.highlight{color:var(--warn);font-weight:700}
    tr.guardrail-good td.highlight{color:var(--up);font-weight:700}
    tr.guardrail-bad td.highlight{color:var(--down);font-weight:700}
    tr.underpowered td,tr.underpowered th{font-style:italic}
    tr.mismatch th,tr.mismatch td{background:var(--down-bg);color:var(--down);font-weight:600}
    .mark-good{color:var(--up);font-weight:700}
    .mark-bad{color:var(--down);font-weight:700}
    .mark-neutral{color:var(--muted)}
    svg.forest{width:100%;height:auto;display:block;font-family:-apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,Arial,sans-serif}
    svg .band{fill:#f7f9fc}
    svg .grid{stroke:#e6e9ef;stroke-width:1}
    svg .zero{stroke:#5b6475;stroke-width:1.2;stroke-dasharray:4 3}
    svg .separator{stroke:#c9d0db;stroke-width:1}
    svg .tick,svg .axis-title{fill:#4f5868;font-size:12px}
    svg .label{fill:#1d2433;font-size:13px;font-weight:600}
    svg .sublabel{fill:#4f5868;font-size:12px}
    svg .value{fill:#1d2433;font-size:12px}
    svg .label .sublabel{font-weight:400}
    svg .strong{font-weight:700}
    svg .ci{stroke-width:2.2;stroke-linecap:round}
    svg .ci.neutral{stroke:#6b7385} svg .ci.up{stroke:var(--up)} svg .ci.down{stroke:var(--down)}
    svg .mark.neutral{fill:#5b6475} svg .mark.up{fill:var(--up)} svg .mark.down{fill:var(--down)}
    svg .ci.warn{stroke:#a86b00} svg .mark.warn{fill:#a86b00}
    svg .mark.hollow{fill:#fff;stroke:#5b6475;stroke-width:2}
    svg .planned-boundary{fill:none;stroke:#b42318;stroke-width:2;stroke-dasharray:6 4}
    svg .dot-label{font-size:12px;font-weight:700} svg .legend{fill:#1d2433;font-size:12px}
    svg .ci.shrunken{stroke:var(--accent);stroke-width:1.6} svg .mark.shrunken{fill:var(--accent)} svg .value.shrunken{fill:var(--accent)}
    .warnings li{color:var(--warn)}
    .glossary dl{display:grid;grid-template-columns:220px 1fr;gap:6px 16px;font-size:13px;margin:0}
    .glossary dt{font-weight:600}
    .glossary dd{margin:0;color:#2b3344}
    footer{margin-top:32px;padding-top:12px;border-top:1px solid var(--line);color:var(--muted);font-size:12px;overflow-wrap:anywhere}
    footer p{margin:2px 0}
    @media (max-width:640px){
    main{margin:0;border-radius:0;padding:16px 14px}
    header h1{font-size:22px}
    .headline{font-size:17px}
    .verdict{padding:12px 14px}
    figure:has(>svg.interaction.wide)::before{content:"Scroll sideways for the whole chart →";display:block;color:var(--muted);font-size:12px;margin:0 0 2px}
    .glossary dl{grid-template-columns:1fr}
    }
    @media screen and (max-width:800px){
    .forest-wide{display:none} .forest-phone{display:block} svg.forest.phone{min-width:330px;max-width:420px}
    svg.boundary-chart,svg.lift-chart{min-width:760px}
    figure:has(>svg.boundary-chart,>svg.lift-chart)::before{content:"Scroll sideways for the whole chart →";display:block;color:var(--muted);font-size:12px;margin:0 0 2px}
    .chart-legend.phone-only{display:block}
    }
    @media screen and (max-width:1100px){
    table,thead,tbody,tr,th,td,caption{display:block;width:auto}
    thead{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
    tbody tr{border:1px solid var(--line);border-radius:6px;margin:0 0 8px;padding:4px 8px}
    tbody th,tbody td{display:flex;gap:10px;justify-content:space-between;border:0;padding:3px 0;text-align:right;overflow-wrap:anywhere}
    tbody th.num,tbody td.num{white-space:normal;overflow-wrap:anywhere}
    tbody th::before,tbody td::before{content:attr(data-label);font-weight:600;color:var(--muted);text-align:left;flex:0 0 42%;min-width:0}
    tbody th:not(.num),tbody td:not(.num){text-align:left}
    tbody th:empty,tbody td:empty{display:none}
    tr.overall th,tr.overall td{border-top:0}
    table.grouped tbody tr.group{border:0;border-radius:0;padding:0;margin:12px 0 4px}
    table.grouped tbody tr.group th{display:block;text-align:left;font-size:14px}
    table.grouped tbody tr.group th::before{content:attr(data-label) ": ";font-weight:400;color:var(--muted)}
    table.pairs{display:table;width:100%}
    table.pairs caption{display:table-caption}
    table.pairs thead{display:table-header-group;position:static;width:auto;height:auto;overflow:visible;clip:auto}
    table.pairs tbody{display:table-row-group}
    table.pairs tr,table.pairs tbody tr{display:table-row;border:0;border-radius:0;margin:0;padding:0}
    table.pairs th,table.pairs td,table.pairs tbody th,table.pairs tbody td{display:table-cell;padding:4px 7px;border-bottom:1px solid var(--line);text-align:left}
    table.pairs .num,table.pairs tbody td.num{text-align:right;white-space:nowrap;overflow-wrap:normal}
    table.pairs tbody th::before,table.pairs tbody td::before{content:none}
    }
    @media screen and (min-width:801px) and (max-width:1100px){
    tbody{display:grid;grid-template-columns:repeat(auto-fill,minmax(340px,1fr));gap:8px}
    tbody tr{margin:0}
    table.grouped,table.grouped tbody:has(tr:nth-child(3)){display:grid;grid-template-columns:repeat(auto-fill,minmax(340px,1fr));gap:8px}
    table.grouped tbody{display:block}
    table.grouped tbody tr{margin:0 0 8px}
    table.grouped tbody tr.group{margin:0 0 4px}
    table.grouped tbody:has(tr:nth-child(3)),table.grouped tbody:has(tr:nth-child(3)) tr.group{grid-column:1/-1}
    table.grouped tbody:has(tr:nth-child(3)) tr{margin:0}
    }
    @media print{
    @page{size:A4 landscape;margin:12mm}
    details::details-content{content-visibility:visible;display:contents}
    details>summary{list-style:none}
    body{background:#fff;font-size:11pt}
    main{box-shadow:none;margin:0;max-width:none;padding:0;border-radius:0}
    .table-wrap,figure{overflow:visible}
    table{font-size:8.5pt;table-layout:auto}
    th,td{white-space:normal;padding:3px 4px}
    td.num,tbody th.num{white-space:nowrap}
    figure,tr,.banner,svg,.verdict li,.verdict .headline{break-inside:avoid;page-break-inside:avoid}
    .table-wrap:not(.long):not(:has(tbody tr:nth-child(13))){break-inside:avoid;page-break-inside:avoid}
    table.grouped tbody{break-inside:avoid;page-break-inside:avoid}
    table.grouped tr.group{break-after:avoid;page-break-after:avoid}
    .forest-phone{display:none} .forest-wide{display:block}
    .screen-only{display:none}
    .print-only{display:block}
    figure:has(>.print-only){break-inside:auto;page-break-inside:auto}
    .print-block{margin-bottom:3mm;break-inside:avoid;page-break-inside:avoid}
    .print-block-title{font-size:9.5pt;font-weight:600;margin:0 0 1mm}
    figcaption{break-before:avoid;page-break-before:avoid}
    figcaption,caption{break-inside:avoid;page-break-inside:avoid}
    h1,h2,h3,h4,caption,thead,summary,dt,p:has(+ figure,+ .table-wrap,+ table,+ details,+ ul,+ ol,+ dl){break-after:avoid;page-break-after:avoid}
    p:has(+ figure,+ .table-wrap,+ table,+ details,+ ul,+ ol,+ dl){break-inside:avoid;page-break-inside:avoid}
    .glossary dt{break-after:auto;page-break-after:auto}
    .glossary dt,.glossary dd{break-inside:avoid;page-break-inside:avoid}
    svg{max-width:100%}
    figure svg{width:auto!important;height:auto;max-width:min(100%,200mm);max-height:140mm;margin:0 auto}
    }
    """
}
