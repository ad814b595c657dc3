"""Renders Strata's HTML reports in headless Chromium and fails on what a reader would hit.

For each HTML file given: at 1280 px wide the decision (the verdict box's headline; for the service's
dashboard, dashboard*.html, its overview table) must end (start) within the first 900 px; at 1280 and 390 px axe-core (from axe-selenium-python) must report no violation; at 390 px
the page must not be wider than the viewport, every chart but those that scroll sideways by design must show
whole on screen (CHART_FITS_JS: its marks and text within the viewport and its own box), no text may run past the right edge of the box that clips or
scrolls it (CLIPPED_TEXT_JS: a card's value cut at the card's edge) and chart text must render at 11 px or
more; printed to PDF
(Chromium's own print, A4 landscape from the report's print CSS), `pdftotext` of the PDF must contain every
column header of the results table, and no page but the last may end with a heading, a caption, a table's header
row or a paragraph that introduces a figure or table (stranded_lead_ins), nor be less than a third used
(half_blank_pages), nor may a caption be split across two pages (split_captions); no printed word may be under 7 pt (small_printed_text: pdftotext -bbox box heights over the
font's ascent + descent). At 1280 px, numeric table columns must
compute to right alignment and columns of words not (ALIGNMENT_JS). Each forest plot must show exactly one
chart at every width and in print (FOREST_SHOWN_JS) and its text, as Chromium measures it, must stay within the
chart and clear of other text and marks (FOREST_TEXT_JS); no two labels of a chart (a forest plot's rows, a
sequential chart's legend entries, an axis's ticks) may read the same at 1280 and 390 px and in print
(CHART_LABELS_JS); a discovery scatter's points must lie inside its frame
(SCATTER_JS), and a discovery k-selection chart's points above their x axis, clear of it (K_SELECTION_JS). No
table may scroll sideways (TABLE_SCROLLS_JS) at any width checked, 1280 and 390 px included (the look log too),
no table cell may show a word on two lines at 1,101 and 1,280 px (WORD_SPLIT_JS), a card's value
of words that wraps must read left-aligned (CARD_WRAP_JS) and no card may show a label with an empty value
(EMPTY_CARD_VALUE_JS) at 390 px and at the tablet widths up to 1,100 px. At
700, 768, 801, 900, 1,024 and 1,101 px (check_tablets) the
same chart checks as at 390 px and the clipped text. Screenshots (first screen at 1280 px, full page at 390 px with every
<details> opened, and each screen at 768 and 900 px) and PDFs
go to the output directory for a person to look at.

Usage: check_reports.py OUTPUT_DIR REPORT.html...
"""

import base64
import os
import re
import subprocess
import sys

os.environ.setdefault("SE_OFFLINE", "true")  # never let selenium download a driver

from axe_selenium_python import Axe  # noqa: E402
from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402

CHART_TEXT_JS = """
const small = [];
for (const svg of document.querySelectorAll('svg')) {
  const box = svg.viewBox && svg.viewBox.baseVal;
  if (!box || !box.width) continue;
  // A chart not rendered (display: none: a chart's blocks for print, a forest plot's wide layout on a phone)
  // is skipped. A rendered chart at zero width is a chart collapsed out of sight, flagged (its text scales to
  // 0 px).
  if (!svg.getClientRects().length) continue;
  const width = svg.getBoundingClientRect().width;
  const scale = width / box.width;
  for (const text of svg.querySelectorAll('text')) {
    const size = parseFloat(getComputedStyle(text).fontSize) * scale;
    if (size < 10.95 && text.textContent.trim()) small.push(text.textContent.trim() + ' @ ' + size.toFixed(1) + 'px');
  }
}
return small;
"""

# A chart a phone shows whole: at 390 px, before anything is scrolled, every mark, line and text of a rendered
# chart must lie within the viewport and within the chart's own box (text past the viewBox is cut off).
# On main before the forest plot's phone layout its estimates, intervals and numbers were off-screen at the
# right (the 760-unit chart at full size: "free_delivery" at 118 px, its value text at 760). Charts that scroll
# sideways by design, with a line saying so and a legend above them on phones, are left out: the sequential
# boundary and lift charts and a factorial interaction plot of more than two levels (SCROLLING_CHARTS).
SCROLLING_CHARTS = "svg.boundary-chart, svg.lift-chart, svg.interaction.wide"
CHART_FITS_JS = """
const scrolling = arguments[0];
const viewport = document.documentElement.clientWidth;
const out = [];
for (const svg of document.querySelectorAll('svg')) {
  if (!svg.getClientRects().length || svg.matches(scrolling) || !(svg.viewBox && svg.viewBox.baseVal)) continue;
  const box = svg.getBoundingClientRect();
  const name = (svg.getAttribute('class') || 'svg') + ' "' + ((svg.querySelector('title') || {}).textContent || '').slice(0, 50) + '"';
  const left = Math.max(0, box.left) - 1, right = Math.min(viewport, box.right) + 1;
  const outside = [...svg.querySelectorAll('circle, rect, line, polygon, polyline, path, text')].filter(e => {
    const r = e.getBoundingClientRect();
    return r.width + r.height > 0 && (r.left < left || r.right > right);
  });
  if (outside.length) {
    const first = outside[0].getBoundingClientRect();
    const what = outside[0].tagName + (outside[0].textContent.trim() ? ' "' + outside[0].textContent.trim().slice(0, 30) + '"' : '');
    out.push(`${name}: ${outside.length} elements outside the screen or the chart (first ${what} at ${first.left.toFixed(0)}-${first.right.toFixed(0)} px, shown ${left.toFixed(0)}-${right.toFixed(0)})`);
  }
}
return out;
"""

# A forest plot shows one chart at a time: the one laid out for a phone (`.forest-phone`) up to the tablet
# breakpoint, the wide one (`.forest-wide`) above it, and printed the wide one, or its blocks of rows
# (`.print-only .print-block`) when it is cut for paper. A style change that hid both (or showed both) went
# unnoticed: the charts' other checks skip what is not rendered. Per figure with a forest plot, the rendered
# svg.forest (a box of non-zero size, not visibility: hidden) must be exactly the expected one(s): `arguments[0]`
# is 'phone', 'wide' or 'print'.
FOREST_SHOWN_JS = """
const expect = arguments[0];
const shown = e => {
  const r = e.getBoundingClientRect();
  return e.getClientRects().length > 0 && r.width > 0 && r.height > 0 && getComputedStyle(e).visibility !== 'hidden';
};
const out = [];
const figures = new Set([...document.querySelectorAll('.forest-wide, .forest-phone')].map(e => e.parentElement));
for (const figure of figures) {
  const wide = figure.querySelector(':scope > .forest-wide svg.forest');
  const phone = figure.querySelector(':scope > .forest-phone svg.forest');
  const blocks = [...figure.querySelectorAll(':scope > .print-only .print-block svg.forest')];
  const expected = expect === 'phone' ? [phone] : expect === 'wide' ? [wide] : (blocks.length ? blocks : [wide]);
  const visible = [...figure.querySelectorAll('svg.forest')].filter(shown);
  const what = e => e === wide ? 'the wide chart' : e === phone ? 'the phone chart' : 'a print block';
  const title = ((wide || phone).querySelector('title') || {}).textContent || '';
  if (visible.length !== expected.length || expected.some(e => !e || !visible.includes(e))) {
    out.push(`"${title.slice(0, 60)}": ${visible.length ? visible.map(what).join(' + ') : 'no chart'} shown, `
      + `expected ${expected.length > 1 ? expected.length + ' print blocks' : expected[0] ? what(expected[0]) : 'a ' + expect + ' chart (missing)'}`);
  }
}
return out;
"""

# Forest plot text as Chromium draws it (getBBox: the measured advance widths of the font in use, in the
# chart's units; the layout only estimates them from character classes): every text of a rendered forest plot
# within the chart's width, and no two texts, nor a text and a mark or interval, overlapping (a phone label
# shortened too little for wide glyphs, W, M, CJK, emoji, runs into the numbers beside it or off the chart).
FOREST_TEXT_JS = """
const out = [];
const inset = (a, b, by) => a.x + by < b.x + b.width && b.x + by < a.x + a.width && a.y + by < b.y + b.height && b.y + by < a.y + a.height;
for (const svg of document.querySelectorAll('svg.forest')) {
  if (!svg.getClientRects().length) continue;
  const width = svg.viewBox.baseVal.width;
  const name = (svg.getAttribute('class') || '') + ' "' + ((svg.querySelector('title') || {}).textContent || '').slice(0, 50) + '"';
  const texts = [...svg.querySelectorAll('text')].filter(t => t.textContent.trim()).map(t => [t, t.getBBox()]);
  const marks = [...svg.querySelectorAll('circle, polygon, rect.mark, line.ci')].map(m => [m, m.getBBox()]);
  const problems = [];
  for (const [t, b] of texts) {
    if (b.x < -0.5 || b.x + b.width > width + 0.5) problems.push(`"${t.textContent.trim().slice(0, 40)}" at ${b.x.toFixed(1)}-${(b.x + b.width).toFixed(1)} of 0-${width}`);
  }
  // Lines of text 16-17 units apart have boxes (ascent + descent) that touch: 2 units of slack vertically.
  texts.forEach(([t, b], i) => {
    for (const [u, c] of texts.slice(i + 1)) {
      if (inset(b, c, 2)) problems.push(`"${t.textContent.trim().slice(0, 30)}" overlaps "${u.textContent.trim().slice(0, 30)}"`);
    }
    for (const [m, c] of marks) {
      const box = {x: c.x, y: c.y - (c.height ? 0 : 1), width: c.width, height: c.height || 2};
      if (inset(b, box, 1)) problems.push(`"${t.textContent.trim().slice(0, 30)}" overlaps a ${m.tagName} at x ${c.x.toFixed(0)}-${(c.x + c.width).toFixed(0)}`);
    }
  });
  if (problems.length) out.push(`${name}: ${problems.slice(0, 3).join('; ')} (${problems.length} in all)`);
}
return out;
"""

# Labels of one chart that read the same though they name different things: a reader cannot tell the rows, the
# legend's entries or an axis's ticks apart. Per rendered chart, as drawn (its text as Chromium lays it out:
# whitespace collapsed): a forest plot's rows, each its segment (the wide chart's is the last one written above
# it) and its variant; a sequential chart's legend entries, each its comparison ("variant · segment") without
# its number or what follows the name (": crossed", ": +1.2 pp"); and an axis's tick labels, the texts centred on
# one line (an x axis) or right-aligned on one edge (a y axis; per panel, between its x axis lines). The
# boundary chart's "L1", "L2" (each comparison's earlier looks) repeat by design. On main the forest plot cut
# forty 75-character segment names to one label, and variant names alike but for their middle
# (spring_newsletter_…_variant_A_with_emoji_… and _B_) read the same in every chart that shortens them.
CHART_LABELS_JS = """
const out = [];
const seen = e => e.textContent.replace(/\\s+/g, ' ').trim();
const ownText = e => [...e.childNodes].filter(n => n.nodeType === 3).map(n => n.textContent).join('').replace(/\\s+/g, ' ').trim();
const repeated = list => {
  const count = new Map();
  for (const x of list) count.set(x, (count.get(x) || 0) + 1);
  return [...count].filter(([, n]) => n > 1);
};
for (const svg of document.querySelectorAll('svg')) {
  if (!svg.getClientRects().length) continue;
  const name = (svg.getAttribute('class') || 'svg') + ' "' + ((svg.querySelector('title') || {}).textContent || svg.getAttribute('aria-label') || '').slice(0, 50) + '"';
  const texts = [...svg.querySelectorAll('text')].filter(t => seen(t));
  const groups = [];
  if (svg.matches('.forest.phone')) {
    groups.push(['rows', texts.filter(t => t.matches('.label')).map(t => {
      const variant = t.querySelector('.sublabel');
      return ownText(t) + ' | ' + (variant ? seen(variant) : '');
    })]);
  } else if (svg.matches('.forest')) {
    let segment = '';
    const rows = [];
    for (const t of svg.querySelectorAll('text.label, text.sublabel')) {
      if (t.matches('.label')) { if (seen(t)) segment = seen(t); } else rows.push(segment + ' | ' + seen(t));
    }
    groups.push(['rows', rows]);
  }
  if (svg.matches('.boundary-chart, .lift-chart')) {
    groups.push(['legend entries', texts.filter(t => t.matches('.legend')).map(t => {
      const entry = t.cloneNode(true);
      for (const number of entry.querySelectorAll('.strong')) number.remove();
      const text = seen(entry);
      return svg.matches('.lift-chart') ? text.slice(0, text.lastIndexOf(':')) : text.replace(/: crossed$/, '');
    })]);
  }
  // Axes: the texts that are no row, legend or value, centred on one line or right-aligned on one edge.
  const axisTexts = texts.filter(t => !t.matches('.label, .sublabel, .legend, .value, .dot-label, .legend *')
    && !(svg.matches('.boundary-chart') && /^L[0-9]+$/.test(seen(t))));
  const panels = [...svg.querySelectorAll('line.axis')].map(l => l.getBBox().y).sort((a, b) => a - b);
  const axes = new Map();
  for (const t of axisTexts) {
    const anchor = getComputedStyle(t).textAnchor;
    const y = parseFloat(t.getAttribute('y'));
    const key = anchor === 'middle' ? 'x axis at y ' + t.getAttribute('y')
      : anchor === 'end' ? 'y axis at x ' + t.getAttribute('x') + ' panel ' + panels.filter(p => p < y).length : null;
    if (key) axes.set(key, [...(axes.get(key) || []), seen(t)]);
  }
  for (const [key, labels] of axes) groups.push([key, labels]);
  for (const [what, labels] of groups) {
    const same = repeated(labels);
    if (same.length) out.push(`${name}: ${what} read the same: ${same.slice(0, 3).map(([x, n]) => `"${x}" ×${n}`).join(', ')} (${same.length} in all)`);
  }
}
return out;
"""

# The discovery report's projection scatter (svg.scatter): every unit's marker (its `g.points`) wholly inside
# the plot's frame (rect.frame) and clear of its 1-unit line, in the chart's units (getBBox). On main the
# extreme units were drawn on the frame, half outside it (x from 20, the frame's left edge). Reports from
# before the classes: the scatter by its description, the frame its first unfilled rect, the points every
# mark above the legend (more than 20 units below the frame).
SCATTER_JS = """
const out = [];
for (const svg of document.querySelectorAll('svg.scatter, svg[aria-label^="Scatter of"]')) {
  const frame = svg.querySelector('rect.frame') || svg.querySelector('rect[fill="none"]');
  if (!frame) { out.push('a scatter without its frame (rect.frame)'); continue; }
  const f = frame.getBBox();
  const grouped = [...svg.querySelectorAll('g.points > *')];
  const marks = grouped.length ? grouped : [...svg.querySelectorAll('circle, rect, path')].filter(m =>
    m !== frame && m.getBBox().y < f.y + f.height + 20);
  const crossing = marks.map(m => m.getBBox()).filter(b =>
    b.x < f.x + 0.5 || b.y < f.y + 0.5 || b.x + b.width > f.x + f.width - 0.5 || b.y + b.height > f.y + f.height - 0.5);
  if (crossing.length) {
    const b = crossing[0];
    out.push(`${crossing.length} points on or outside the frame (first at x ${b.x.toFixed(1)}-${(b.x + b.width).toFixed(1)}, `
      + `y ${b.y.toFixed(1)}-${(b.y + b.height).toFixed(1)}; frame ${f.x}-${f.x + f.width} by ${f.y}-${f.y + f.height})`);
  }
}
return out;
"""

# The discovery report's k-selection chart (svg.k-selection: silhouette and Davies–Bouldin against k, a panel
# each): every point drawn whole above its panel's x axis (the line.axis below it), clear of the axis line, and
# below the panel's title. On main the y range started at the lowest value, so the lowest point of each panel
# sat on the axis line, half under it. Reports from before the classes: the chart by its description, the axes
# its lines, each point's panel the nearest axis below it.
K_SELECTION_JS = """
const out = [];
for (const svg of document.querySelectorAll('svg.k-selection, svg[aria-label^="Silhouette and Davies"]')) {
  let axes = [...svg.querySelectorAll('line.axis')];
  if (!axes.length) axes = [...svg.querySelectorAll('line')];
  const ys = axes.map(a => a.getBBox().y).sort((a, b) => a - b);
  const problems = [];
  for (const point of svg.querySelectorAll('circle')) {
    const b = point.getBBox();
    const axis = ys.find(y => y >= b.y + b.height / 2 - 0.01);
    const above = ys.filter(y => y < b.y + b.height / 2 - 0.01).pop() ?? 0;
    if (axis === undefined) { problems.push(`a point at y ${b.y.toFixed(1)} below every x axis`); continue; }
    // The axis line is 1 unit wide; the panel above starts 110 units above its axis (its title there).
    if (b.y + b.height > axis - 0.5 || b.y < Math.max(above, axis - 110) + 2) {
      problems.push(`a point at y ${b.y.toFixed(1)}-${(b.y + b.height).toFixed(1)}, its x axis at ${axis.toFixed(1)}`);
    }
  }
  if (problems.length) out.push(`${problems.length} points on or outside their panel: ${problems.slice(0, 3).join('; ')}`);
}
return out;
"""

# Cards (tables at up to 1,100 px) whose words wrap read left-aligned: a value of words that wraps onto a second
# line (a segment's profile, a long name) must start every line at the same left edge. On main the card values
# were right-aligned, so a long profile at 900 px read ragged at its left, line by line. Values of numbers
# (td.num) stay right-aligned, and so does a value on one line (at the card's right edge, opposite its label).
CARD_WRAP_JS = """
const out = [];
for (const cell of document.querySelectorAll('tbody th, tbody td')) {
  if (!cell.getClientRects().length || cell.matches('.num') || getComputedStyle(cell).display !== 'flex') continue;
  const range = document.createRange();
  range.selectNodeContents(cell);
  // Lines: the boxes of the cell's text and inline elements (a <code>'s box and its padded text) that overlap
  // vertically are one line, starting at its leftmost box.
  const lines = [];
  for (const r of [...range.getClientRects()].filter(r => r.width >= 1).sort((a, b) => a.top - b.top)) {
    const middle = (r.top + r.bottom) / 2;
    const line = lines.find(l => middle > l.top && middle < l.bottom);
    if (line) line.left = Math.min(line.left, r.left);
    else lines.push({top: r.top, bottom: r.bottom, left: r.left});
  }
  if (lines.length < 2) continue;
  const lefts = lines.map(l => l.left);
  if (Math.max(...lefts) - Math.min(...lefts) > 2) {
    out.push(`"${cell.textContent.trim().slice(0, 50)}" (${cell.dataset.label || cell.tagName.toLowerCase()}): `
      + `${lines.length} lines starting at ${lefts.map(x => x.toFixed(0)).join(', ')} px`);
  }
}
return out;
"""

# A card's label with nothing beside it (tables are cards up to 1,100 px): a rendered cell of a card (its column's
# header shown before it, `::before`, from its data-label) whose value is empty. On main the factorial example at
# 390 px showed "Note" alone on 19 partial-pooling cards, "Flags" on 27 results cards, and on each of 21 variants'
# cards of the sample ratio table "Segment", "χ²", "p", "Holm p" and "Mismatch" (said on the segment's first card);
# every report showed "Observed" alone on the plan-vs-observed cards of power and minimum detectable effect. Per
# table (its caption or first headers), the labels shown empty and how many.
EMPTY_CARD_VALUE_JS = """
const tables = new Map();
for (const cell of document.querySelectorAll('tbody th, tbody td')) {
  if (!cell.getClientRects().length || cell.textContent.trim()) continue;
  const label = getComputedStyle(cell, '::before').content;
  if (!label || label === 'none' || label === 'normal' || label === '""') continue;
  const table = cell.closest('table');
  if (!tables.has(table)) tables.set(table, new Map());
  const labels = tables.get(table);
  labels.set(label, (labels.get(label) || 0) + 1);
}
return [...tables].map(([table, labels]) => {
  const name = table.caption ? table.caption.textContent.trim().slice(0, 50)
    : [...table.querySelectorAll('thead th')].slice(0, 3).map(t => t.textContent.trim()).join(' | ');
  return `"${name}": ` + [...labels].map(([label, n]) => `${label} ×${n}`).join(', ');
});
"""

# Text cut off at the right: a text run (outside charts, which scroll sideways inside their figure by design)
# that ends past the right edge of its nearest box that clips or scrolls (a table's .table-wrap, say), or of
# the viewport. Visually hidden text (the phone cards' 1 px table headers) is skipped.
CLIPPED_TEXT_JS = """
const clipped = [];
const viewport = document.documentElement.clientWidth;
const hidden = el => {
  for (let a = el; a; a = a.parentElement) {
    const r = a.getBoundingClientRect();
    if (r.width <= 1 || r.height <= 1) return true;
  }
  return false;
};
for (const el of document.querySelectorAll('body *')) {
  if (el.closest('svg')) continue;
  const runs = [...el.childNodes].filter(n => n.nodeType === 3 && n.textContent.trim());
  if (!runs.length || hidden(el)) continue;
  let edge = viewport;
  for (let a = el; a && a !== document.documentElement; a = a.parentElement) {
    if (getComputedStyle(a).overflowX !== 'visible') { edge = Math.min(edge, a.getBoundingClientRect().right); break; }
  }
  for (const run of runs) {
    const range = document.createRange();
    range.selectNodeContents(run);
    const right = range.getBoundingClientRect().right;
    if (right > edge + 1) clipped.push(`${el.tagName.toLowerCase()}: "${run.textContent.trim().slice(0, 40)}" ends at ${right.toFixed(0)} px, cut at ${edge.toFixed(0)}`);
  }
}
return clipped;
"""

# Numbers right-aligned, words left (at 1280 px, where tables are tables): per column of every table, when its
# body cells are numbers as the reports write them ("+2.1 pp", "[−0.5, +2.1]", "12,345 / 12,001", "> 99%",
# "4.6e-05") or placeholders without digits ("—", "n/a", "not in family"), with one number at least, every
# cell and the column's header must compute to right alignment; when no cell has a digit (a decision, a test's
# name) none may be right-aligned. Columns mixing words and numbers ("2 (REML)") are free, and so is the first,
# the row headers (labels, even when they are numbers: a look, a number of segments).
ALIGNMENT_JS = """
const NUMBER = /^([<>≤≥±~]|[\\[(]?[+\\-−±]?[0-9][0-9.,]*(e[+\\-−]?[0-9]+)?(%|pp)?[\\])]?,?|pp|\\/|×|∞\\]?)$/;
const numeric = t => /[0-9]/.test(t) && t.split(/\\s+/).every(w => NUMBER.test(w));
const right = el => ['right', 'end'].includes(getComputedStyle(el).textAlign);
const wrong = [];
document.querySelectorAll('table').forEach((table, t) => {
  const heads = [...table.querySelectorAll('thead tr:first-child th')];
  // A grouped table's name rows (tr.group: a segment's name across the table, HTML.groupedTable) are not cells of
  // a column.
  const rows = [...table.querySelectorAll('tbody tr:not(.group)')].map(r => [...r.children]);
  if (!rows.length || rows.some(r => r.length !== heads.length)) return;
  heads.forEach((head, c) => {
    if (c === 0) return;  // the row headers (a segment, a look's number) are labels
    const cells = rows.map(r => r[c]);
    const texts = cells.map(e => e.textContent.trim());
    const name = `table ${t + 1} (${(table.caption ? table.caption.textContent : heads[0].textContent).trim().slice(0, 30)}), column "${head.textContent.trim()}"`;
    if (texts.some(numeric) && texts.every(x => numeric(x) || !/[0-9]/.test(x))) {
      const bad = [head, ...cells].filter(e => !right(e));
      if (bad.length) wrong.push(`${name}: numbers not right-aligned (${bad.length} cells, first "${bad[0].textContent.trim().slice(0, 20)}")`);
    } else if (texts.some(x => x) && texts.every(x => !/[0-9]/.test(x))) {
      const bad = [head, ...cells].filter(e => right(e) && e.textContent.trim());
      if (bad.length) wrong.push(`${name}: words right-aligned (${bad.length} cells, first "${bad[0].textContent.trim().slice(0, 20)}")`);
    }
  });
});
return wrong;
"""

# What introduces the content after it and must not end a printed page: headings, table captions and header
# rows, a grouped table's name row (a segment's name above its variants' rows), the summary of a <details>, a
# glossary term, and a paragraph followed by a figure, table, list or <details> (a metric's description above its
# chart).
LEAD_INS_JS = """
const lead = 'h1, h2, h3, h4, caption, thead tr, tbody tr.group, summary, dt, '
  + 'p:has(+ figure, + .table-wrap, + table, + details, + ul, + ol, + dl)';
// A text that also stands alone elsewhere (the glossary repeats a note as a definition) cannot be told apart in
// the PDF's text: skipped.
const elsewhere = new Set([...document.querySelectorAll('p, li, dd, td')].filter(e => !e.matches(lead))
  .map(e => e.innerText.trim()));
return [...document.querySelectorAll(lead)].map(e => e.innerText.trim()).filter(t => t && !elsewhere.has(t));
"""

# Captions as printed (run with the print media emulated): every rendered figure caption and table caption.
CAPTIONS_JS = """
return [...document.querySelectorAll('figcaption, caption')].filter(e => e.getClientRects().length)
  .map(e => e.textContent.trim()).filter(t => t);
"""

RESULTS_HEADERS_JS = """
for (const table of document.querySelectorAll('table')) {
  const heads = [...table.querySelectorAll('thead th')].map(th => th.textContent.trim());
  if (heads.includes('Flags')) return heads;
}
return [];
"""


def driver_at(width, height):
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--hide-scrollbars", "--force-device-scale-factor=1", f"--window-size={width},{height}"]:
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    # The window size includes no browser chrome in headless mode; make the viewport exact.
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600})
    return driver


def axe_violations(driver):
    axe = Axe(driver)
    axe.inject()
    results = axe.run()
    return [f"{v['id']} ({len(v['nodes'])} nodes): {v['help']}; first: {v['nodes'][0]['target']}"
            for v in results["violations"]]


def words(text):
    return text.lower().split()


# Lead-ins of this many words or fewer are matched against a page's whole last line, not its last words.
SHORT_LEAD_IN = 2


def stranded_lead_ins(pdf_path, lead_ins):
    """Pages (but the last) that end with a heading, caption, table header or introducing paragraph, whole or cut.

    Per page, `pdftotext -layout -f N -l N` (lines top to bottom): the page's last words, as many as the
    lead-in has, must not be the lead-in's words (compared as multisets: a table header's wrapped cells come
    out interleaved; a lead-in of one or two words must not be the page's whole last line); nor may the page end with the lead-in's first words and the next page start with the
    rest (a paragraph cut between its lines, what it introduces on the next page).
    """
    info = subprocess.run(["pdfinfo", pdf_path], check=True, capture_output=True, text=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    layouts = [subprocess.run(["pdftotext", "-layout", "-f", str(page), "-l", str(page), pdf_path, "-"],
                              check=True, capture_output=True, text=True).stdout
               for page in range(1, pages + 1)]
    texts = [words(layout) for layout in layouts]
    # A page's last line, for short lead-ins: "Data" or "Warnings" as a page's last word is often the end of
    # a sentence; as a heading it stands on a line of its own.
    last_lines = [next((line.split() for line in reversed(layout.splitlines()) if line.strip()), [])
                  for layout in layouts]
    stranded = []
    for page in range(1, pages):
        last, following = texts[page - 1], texts[page]
        for lead in lead_ins:
            lead_words = words(lead)
            count = len(lead_words)
            if count <= SHORT_LEAD_IN:
                # Case kept: a heading "Underpowered" is not a results row's flag "underpowered" wrapped
                # onto a line of its own.
                whole = last_lines[page - 1] == lead.split()
            else:
                whole = len(last) >= count and sorted(last[-count:]) == sorted(lead_words)
            cut = any(last[-k:] == lead_words[:k] and following[:count - k] == lead_words[k:] for k in range(1, count))
            if whole or cut:
                stranded.append(f"page {page} ends with{' the start of' if cut and not whole else ''} "
                                f"\"{' '.join(lead.split())[:60]}\"")
                break
    return stranded


def split_captions(pdf_path, captions):
    """Captions printed across a page break: a caption's text (whitespace removed) found in the whole PDF's text
    (`pdftotext`, pages separated by form feeds) but on no single page. A caption the PDF's text does not hold
    as such (glyphs drawn differently) is not judged."""
    text = subprocess.run(["pdftotext", pdf_path, "-"], check=True, capture_output=True, text=True).stdout
    pages = [normalise(page) for page in text.split("\f")]
    whole = "".join(pages)
    split = []
    for caption in captions:
        flat = normalise(caption)
        if flat in whole and not any(flat in page for page in pages):
            start = next(number for number in range(1, len(pages) + 1) if flat in "".join(pages[number - 1:number + 1])
                         or number == len(pages))
            split.append(f"\"{caption[:50]}\" from page {start}")
    return split


# Printed text must be at least this large (points): a chart scaled down to fit a page (a 21-row forest plot
# printed at 5 pt) cannot be read.
MIN_PRINTED_PT = 7.0

WORD_BOX = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>')


def font_height_ratio(pdf_path):
    """A word's box height per point of font size, as pdftotext -bbox draws it: the font's ascent minus its
    descent (per 1,000 em units, from the PDF's font descriptors; Liberation Sans: 905 + 212), the largest of
    the text fonts (code's monospace font, 4% taller, is measured with it: a code word's size comes out 4% high)."""
    with open(pdf_path, "rb") as handle:
        data = handle.read()
    fonts = re.findall(rb"/FontName /[A-Z]{6}\+([^\s/]+)[^>]*?/Ascent (-?[\d.]+)[^>]*?/Descent (-?[\d.]+)", data)
    ratios = [(float(a) - float(d)) / 1000 for name, a, d in fonts if b"Mono" not in name]
    return max(ratios) if ratios else 1.2


def printed_pages(pdf_path):
    """Per page of the PDF: its height and its words as (yMin, yMax, text), from `pdftotext -bbox` (points)."""
    xml = subprocess.run(["pdftotext", "-bbox", pdf_path, "-"], check=True, capture_output=True, text=True).stdout
    pages = []
    for page in re.split(r"<page ", xml)[1:]:
        height = float(re.search(r'height="([\d.]+)"', page).group(1))
        pages.append((height, [(float(m.group(2)), float(m.group(4)), m.group(5)) for m in WORD_BOX.finditer(page)]))
    return pages


def small_printed_text(pdf_path, pages):
    """Words printed below MIN_PRINTED_PT: each word's box height (pdftotext -bbox) over the font's height
    ratio is its size in points, whatever scaled it (a chart fitted to a page, the page fitted to the paper)."""
    ratio = font_height_ratio(pdf_path)
    small = [f"\"{text}\" {(y_max - y_min) / ratio:.1f} pt on page {number}"
             for number, (_, words_on_page) in enumerate(pages, 1)
             for y_min, y_max, text in words_on_page if (y_max - y_min) / ratio < MIN_PRINTED_PT - 0.05]
    return small


# A printed page may end early when what follows cannot start on it (a chart's block of rows is kept whole, up
# to about half a page with its heading), but not with less than a third of it used.
MIN_PAGE_USED = 1 / 3
PAGE_MARGIN_PT = 12 / 25.4 * 72  # the print style's @page margin, 12 mm


def half_blank_pages(pages):
    """Pages but the last whose text ends in the top third of the page's printable height (a keep-together
    rule that pushed a whole figure, and its heading, to the next page: main's city-delivery page 2, 20%)."""
    blank = []
    for number, (height, words_on_page) in enumerate(pages[:-1], 1):
        bottom = max((y_max for _, y_max, _ in words_on_page), default=PAGE_MARGIN_PT)
        used = (bottom - PAGE_MARGIN_PT) / (height - 2 * PAGE_MARGIN_PT)
        if used < MIN_PAGE_USED:
            blank.append(f"page {number} ({used:.0%} used)")
    return blank


def normalise(text):
    return re.sub(r"\s+", "", text)


def check(path, out_dir):
    name = os.path.splitext(os.path.basename(path))[0]
    url = "file://" + os.path.abspath(path)
    failures = []

    desktop = driver_at(1280, 900)
    try:
        desktop.get(url)
        # The service's dashboard (GET /) opens with its overview table, each experiment's verdict below it.
        dashboard = name.startswith("dashboard")
        first = "table.dashboard" if dashboard else ".verdict .headline"
        edge = "top" if dashboard else "bottom"
        bottom = desktop.execute_script(
            f"const h = document.querySelector('{first}');"
            f"return h ? h.getBoundingClientRect().{edge} + window.scrollY : null;")
        if bottom is None:
            failures.append(f"no {'overview table' if dashboard else 'verdict headline'} ({first})")
        elif bottom > 900:
            failures.append(f"the {'overview table starts' if dashboard else 'verdict headline ends'} {bottom:.0f} px "
                            "down at 1280 px wide (limit 900)")
        desktop.save_screenshot(os.path.join(out_dir, f"{name}-1280.png"))
        failures += [f"axe at 1280 px: {v}" for v in axe_violations(desktop)]
        failures += [f"at 1280 px: {v}" for v in desktop.execute_script(ALIGNMENT_JS)]
        failures += [f"forest plot at 1280 px: {v}" for v in desktop.execute_script(FOREST_SHOWN_JS, "wide")]
        failures += [f"forest plot text at 1280 px: {v}" for v in desktop.execute_script(FOREST_TEXT_JS)]
        failures += [f"chart labels alike at 1280 px: {v}" for v in desktop.execute_script(CHART_LABELS_JS)]
        failures += [f"projection scatter: {v}" for v in desktop.execute_script(SCATTER_JS)]
        failures += [f"k-selection chart: {v}" for v in desktop.execute_script(K_SELECTION_JS)]
        # The folded sections' tables (the Bayesian summary) too.
        desktop.execute_script("for (const d of document.querySelectorAll('details')) d.open = true;")
        scrolls = desktop.execute_script(TABLE_SCROLLS_JS)
        if scrolls:
            failures.append(f"a table scrolls sideways at 1280 px: {scrolls[:3]} ({len(scrolls)} in all)")
        split = desktop.execute_script(WORD_SPLIT_JS)
        if split:
            failures.append(f"a word broken across lines in a table at 1280 px: {split[:3]} ({len(split)} in all)")
        headers = desktop.execute_script(RESULTS_HEADERS_JS)
        if not headers:
            failures.append("no results table (a table with a 'Flags' column)")
        pdf = desktop.execute_cdp_cmd("Page.printToPDF", {"printBackground": True, "preferCSSPageSize": True})
        pdf_path = os.path.join(out_dir, f"{name}.pdf")
        with open(pdf_path, "wb") as handle:
            handle.write(base64.b64decode(pdf["data"]))
        # In the order drawn (-raw): a header that wraps onto two lines is drawn as one cell, its words together.
        text = subprocess.run(["pdftotext", "-raw", pdf_path, "-"], check=True, capture_output=True, text=True).stdout
        flat = normalise(text)
        missing = [h for h in headers if normalise(h) not in flat]
        if missing:
            failures.append(f"the printed PDF lacks results-table column headers: {missing}")
        pages = printed_pages(pdf_path)
        small = small_printed_text(pdf_path, pages)
        if small:
            failures.append(f"printed text below {MIN_PRINTED_PT:g} pt: {small[:3]} ({len(small)} words in all)")
        blank = half_blank_pages(pages)
        if blank:
            failures.append(f"printed pages less than a third used before the next page's content: {blank}")
        stranded = stranded_lead_ins(pdf_path, desktop.execute_script(LEAD_INS_JS))
        if stranded:
            failures.append(f"printed, a heading or lead-in ends a page, what it introduces on the next: {stranded}")
        # What print shows (the print style sheet at this window's width; the PDF's text cannot tell which
        # chart drew it).
        desktop.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
        failures += [f"forest plot printed: {v}" for v in desktop.execute_script(FOREST_SHOWN_JS, "print")]
        failures += [f"chart labels alike printed: {v}" for v in desktop.execute_script(CHART_LABELS_JS)]
        split = split_captions(pdf_path, desktop.execute_script(CAPTIONS_JS))
        if split:
            failures.append(f"printed, a caption split across pages: {split}")
        desktop.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    finally:
        desktop.quit()

    phone = driver_at(390, 844)
    try:
        phone.get(url)
        widths = phone.execute_script(
            "return [document.documentElement.scrollWidth, window.innerWidth];")
        if widths[0] > widths[1]:
            wide = phone.execute_script(
                "return [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > "
                "window.innerWidth + 1 && !e.closest('figure, .table-wrap')).slice(0, 5).map(e => e.tagName + '.' + "
                "e.className + ': ' + e.textContent.slice(0, 40));")
            failures.append(f"at 390 px the page is {widths[0]} px wide (viewport {widths[1]}): {wide}")
        # Folded content (<details>: the decision's "More about", the Bayesian summaries) is opened, so that
        # it is checked and seen in the screenshots too.
        phone.execute_script("for (const d of document.querySelectorAll('details')) d.open = true;")
        outside = phone.execute_script(CHART_FITS_JS, SCROLLING_CHARTS)
        if outside:
            failures.append(f"a chart not whole on screen at 390 px wide: {outside[:3]} ({len(outside)} charts)")
        failures += [f"forest plot at 390 px: {v}" for v in phone.execute_script(FOREST_SHOWN_JS, "phone")]
        failures += [f"forest plot text at 390 px: {v}" for v in phone.execute_script(FOREST_TEXT_JS)]
        failures += [f"chart labels alike at 390 px: {v}" for v in phone.execute_script(CHART_LABELS_JS)]
        clipped = phone.execute_script(CLIPPED_TEXT_JS)
        if clipped:
            failures.append(f"text cut off at the right at 390 px wide: {clipped[:5]} ({len(clipped)} in all)")
        scrolls = phone.execute_script(TABLE_SCROLLS_JS)
        if scrolls:
            failures.append(f"a table scrolls sideways at 390 px: {scrolls[:3]} ({len(scrolls)} in all)")
        ragged = phone.execute_script(CARD_WRAP_JS)
        if ragged:
            failures.append(f"wrapped card text not left-aligned at 390 px: {ragged[:3]} ({len(ragged)} in all)")
        empty = phone.execute_script(EMPTY_CARD_VALUE_JS)
        if empty:
            failures.append(f"a card's label shown with no value at 390 px: {empty[:3]} ({len(empty)} tables)")
        small = phone.execute_script(CHART_TEXT_JS)
        if small:
            failures.append(f"chart text below 11 px at 390 px wide: {small[:5]} ({len(small)} in all)")
        failures += [f"axe at 390 px: {v}" for v in axe_violations(phone)]
        # axe scrolls what it checks into view, charts inside their figure included: back to the left edge
        # (where a reader starts) before the screenshots.
        save_screens(phone, os.path.join(out_dir, f"{name}-390"), 844, 24)
    finally:
        phone.quit()

    failures += check_tablets(url, name, out_dir)
    return failures


def save_screens(driver, prefix, screen_height, most):
    """Screenshots of the page from its top, one per screen of `screen_height` px, at most `most` of them
    (`PREFIX-00.png`, ...), every scrolling figure and table back at its left edge (where a reader starts; axe
    scrolls what it checks into view)."""
    driver.execute_script("for (const e of document.querySelectorAll('figure, .table-wrap')) e.scrollLeft = 0;")
    height = driver.execute_script("return document.documentElement.scrollHeight;")
    for screen, top in enumerate(range(0, min(height, screen_height * most), screen_height)):
        driver.execute_script(f"window.scrollTo(0, {top});")
        driver.save_screenshot(f"{prefix}-{screen:02d}.png")


# Tablets, the first width above the forest plot's breakpoint (its wide chart at its smallest), a small laptop
# or a tablet in landscape (900), 1,024 and the first width where tables are tables again (1,101: a 1,021 px text
# column, 19 px less than at 1,280): the charts' text at 11 px or more (the wide forest plot scaled to 620 px at
# 700 had 9.8 px text), the forest plot as laid out for this width, nothing wider than the screen, no table
# scrolling sideways (TABLE_SCROLLS_JS) and, at 1,101, no word broken across lines in a table (WORD_SPLIT_JS).
TABLET_WIDTHS = (700, 768, 801, 900, 1024, 1101)
FOREST_PHONE_UP_TO = 800  # px: the phone forest plot up to this width (HTMLStyle's breakpoint)
TABLE_CARDS_UP_TO = 1100  # px: tables are cards up to this width (HTMLStyle)

# A table wider than its box, so that its right-hand columns (a results table's p and flags) are behind a
# sideways scroll: on main at 801-1,024 px the results tables (820-950 px wide) and the gym look log (1,014 px)
# scrolled in a 721-944 px text column; at 1,280 px the factorial example's look log as a 3-look plan (one z
# column for each of 14 comparisons, 1,981 px in 1,040; exempt until it became two tables) and results tables
# with an 84-character variant name (1,208-1,699 px wide).
TABLE_SCROLLS_JS = """
const out = [];
for (const wrap of document.querySelectorAll('.table-wrap')) {
  if (!wrap.getClientRects().length || wrap.scrollWidth <= wrap.clientWidth + 1) continue;
  const table = wrap.querySelector('table');
  const caption = table && table.caption ? table.caption.textContent.trim().slice(0, 50)
    : [...wrap.querySelectorAll('thead th')].slice(0, 4).map(t => t.textContent.trim()).join(' | ') + ' ...';
  out.push(`"${caption}" ${wrap.scrollWidth} px wide in ${wrap.clientWidth} px`);
}
return out;
"""

# A word broken inside a table cell where tables are tables (1,101 and 1,280 px): each run of a cell's text
# between spaces, hyphens, CJK characters and emoji (which break anywhere: the wide-glyphs snapshot's names)
# and break opportunities (`<wbr/>`, which splits a text node: Strata marks them in a word longer than 24
# characters, HTML.breakable) must lie on one line. A table cell's name breaking anywhere let a
# squeezed column cut "All segments" into "All segment" / "s" when a long variant name next to it could break.
WORD_SPLIT_JS = """
const out = [];
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
for (let node = walker.nextNode(); node; node = walker.nextNode()) {
  const cell = node.parentElement && node.parentElement.closest('td, th');
  if (!cell || !cell.closest('table') || !cell.getClientRects().length) continue;
  // CJK text and emoji break between any two characters (no spaces): each such character is a word of its own.
  for (const match of node.data.matchAll(/[^\\s\\-\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}\\p{Script=Hangul}\\p{Extended_Pictographic}]+-?/gu)) {
    const range = document.createRange();
    range.setStart(node, match.index);
    range.setEnd(node, match.index + match[0].length);
    const tops = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
    if (tops.size > 1) out.push(`"${match[0].slice(0, 30)}" on ${tops.size} lines in "${cell.textContent.trim().slice(0, 40)}"`);
  }
}
return out;
"""


def check_tablets(url, name, out_dir):
    failures = []
    tablet = driver_at(TABLET_WIDTHS[0], 1024)
    try:
        for width in TABLET_WIDTHS:
            tablet.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                   {"width": width, "height": 1024, "deviceScaleFactor": 1, "mobile": False})
            tablet.get(url)
            at = f"at {width} px"
            widths = tablet.execute_script("return [document.documentElement.scrollWidth, window.innerWidth];")
            if widths[0] > widths[1]:
                failures.append(f"{at} the page is {widths[0]} px wide (viewport {widths[1]})")
            tablet.execute_script("for (const d of document.querySelectorAll('details')) d.open = true;")
            expected = "phone" if width <= FOREST_PHONE_UP_TO else "wide"
            failures += [f"forest plot {at}: {v}" for v in tablet.execute_script(FOREST_SHOWN_JS, expected)]
            failures += [f"forest plot text {at}: {v}" for v in tablet.execute_script(FOREST_TEXT_JS)]
            outside = tablet.execute_script(CHART_FITS_JS, SCROLLING_CHARTS)
            if outside:
                failures.append(f"a chart not whole on screen {at}: {outside[:3]} ({len(outside)} charts)")
            small = tablet.execute_script(CHART_TEXT_JS)
            if small:
                failures.append(f"chart text below 11 px {at}: {small[:5]} ({len(small)} in all)")
            scrolls = tablet.execute_script(TABLE_SCROLLS_JS)
            if scrolls:
                failures.append(f"a table scrolls sideways {at}: {scrolls[:3]} ({len(scrolls)} in all)")
            if width <= TABLE_CARDS_UP_TO:
                # Tables are cards here, as on a phone: nothing cut at the right of its box (a results
                # table 918 px wide in a 620 px column showed its first columns and hid p and flags).
                clipped = tablet.execute_script(CLIPPED_TEXT_JS)
                if clipped:
                    failures.append(f"text cut off at the right {at}: {clipped[:5]} ({len(clipped)} in all)")
                ragged = tablet.execute_script(CARD_WRAP_JS)
                if ragged:
                    failures.append(f"wrapped card text not left-aligned {at}: {ragged[:3]} ({len(ragged)} in all)")
                empty = tablet.execute_script(EMPTY_CARD_VALUE_JS)
                if empty:
                    failures.append(f"a card's label shown with no value {at}: {empty[:3]} ({len(empty)} tables)")
            if width > TABLE_CARDS_UP_TO:
                split = tablet.execute_script(WORD_SPLIT_JS)
                if split:
                    failures.append(f"a word broken across lines in a table {at}: {split[:3]} ({len(split)} in all)")
            if width in (768, 900):
                save_screens(tablet, os.path.join(out_dir, f"{name}-{width}"), 1024, 16)
    finally:
        tablet.quit()
    return failures


def main():
    out_dir, paths = sys.argv[1], sys.argv[2:]
    os.makedirs(out_dir, exist_ok=True)
    failed = 0
    for path in paths:
        failures = check(path, out_dir)
        if failures:
            failed += 1
            print(f"FAIL {path}")
            for failure in failures:
                print(f"  - {failure}")
        else:
            print(f"ok   {path}")
    print(f"{len(paths) - failed} of {len(paths)} reports pass; screenshots and PDFs in {out_dir}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
