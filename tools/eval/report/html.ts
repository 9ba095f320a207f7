/**
 * HTML building blocks of the evaluation report: escaping, tables, chart figures and the page.
 * The page is one self-contained file: inline CSS, inline SVG charts, no script, no external URL.
 */

/** Escapes text for HTML content and attribute values. */
export function esc(text: unknown): string {
  return String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** A fraction as a percentage with two decimals, or an en dash when undefined. */
export function pctCell(v: number | null | undefined): string {
  return v === null || v === undefined ? '–' : (100 * v).toFixed(2);
}

export interface TableOptions {
  /** Class of the table element. */
  className?: string;
  /** Rows (by index) drawn as a summary line. */
  emphasize?: ReadonlySet<number>;
}

/** A table: the first column left-aligned, the others right-aligned; cells are escaped. */
export function table(head: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number>>, options: TableOptions = {}): string {
  const th = head.map((h) => `<th>${esc(h)}</th>`).join('');
  const body = rows.map((r, i) => `<tr${options.emphasize?.has(i) ? ' class="total"' : ''}>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('\n');
  return `<table${options.className ? ` class="${esc(options.className)}"` : ''}><thead><tr>${th}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

/** A chart figure: the SVG markup (trusted, from Vega) and an escaped caption. */
export function figure(id: string, svg: string, caption?: string): string {
  return `<figure class="chart" data-chart="${esc(id)}">${svg}${caption ? `<figcaption>${esc(caption)}</figcaption>` : ''}</figure>`;
}

export interface Section {
  id: string;
  title: string;
  /** Trusted HTML (built with the helpers above). */
  html: string;
}

const STYLE = `
body { font: 14px/1.45 Helvetica, Arial, sans-serif; color: #222; margin: 24px auto; max-width: 1180px; padding: 0 16px; }
h1 { font-size: 22px; margin-bottom: 4px; } h2 { font-size: 17px; margin-top: 32px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
p.meta, p.note { color: #555; margin: 4px 0; } p.note { font-style: italic; }
table { border-collapse: collapse; margin: 8px 0 12px; font-variant-numeric: tabular-nums; }
th, td { padding: 3px 9px; border-bottom: 1px solid #eee; text-align: right; white-space: nowrap; }
th:first-child, td:first-child { text-align: left; } th { background: #f5f5f5; font-weight: 600; }
tr.total td { font-weight: 600; border-top: 1px solid #999; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 8px 0; } dl.facts dt { color: #666; } dl.facts dd { margin: 0; }
.row { display: flex; flex-wrap: wrap; gap: 24px; align-items: flex-start; }
figure.chart { margin: 8px 0 16px; } figure.chart svg { max-width: 100%; height: auto; }
figcaption { color: #555; font-size: 12px; margin-top: 2px; }
nav a { margin-right: 12px; }
footer { margin-top: 40px; color: #777; font-size: 12px; }
`;

/** The whole page. */
export function page(title: string, intro: string, sections: readonly Section[], footer: string): string {
  const nav = sections.map((s) => `<a href="#${esc(s.id)}">${esc(s.title)}</a>`).join('');
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(title)}</title>`,
    `<style>${STYLE}</style></head><body>`,
    `<h1>${esc(title)}</h1>`,
    intro,
    `<nav>${nav}</nav>`,
    ...sections.map((s) => `<section id="${esc(s.id)}"><h2>${esc(s.title)}</h2>\n${s.html}\n</section>`),
    `<footer>${footer}</footer>`,
    '</body></html>',
    '',
  ].join('\n');
}
