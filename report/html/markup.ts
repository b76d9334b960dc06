// Small builders for the page's repeated markup; every text goes through esc().
import { esc } from './escape.ts';

export interface Column {
  label: string;
  numeric?: boolean;
}

/** Escaped HTML for a cell, or that HTML with extra classes on its <td>. */
export type TableCell = string | { html: string; className: string };

/** A table of already-escaped cells; numeric columns align right. `className` styles one kind of table. */
export function table(
  columns: readonly Column[],
  rows: readonly TableCell[][],
  className?: string,
): string {
  const head = columns
    .map((column) => `<th${column.numeric ? ' class="num"' : ''}>${esc(column.label)}</th>`)
    .join('');
  const body = rows
    .map((row) => {
      const cells = row.map((cell, index) => {
        const classes = [
          columns[index]?.numeric ? 'num' : '',
          typeof cell === 'string' ? '' : cell.className,
        ]
          .filter(Boolean)
          .join(' ');
        const html = typeof cell === 'string' ? cell : cell.html;
        return `<td${classes ? ` class="${esc(classes)}"` : ''}>${html}</td>`;
      });
      return `<tr>${cells.join('')}</tr>`;
    })
    .join('\n');
  const tableClass = className ? ` class="${esc(className)}"` : '';
  return `<div class="scroll"><table${tableClass}><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table></div>`;
}

export function list(items: readonly string[]): string {
  return `<ul>${items.map((item) => `<li>${esc(item)}</li>`).join('')}</ul>`;
}

/** A DOM id made from a strategy name and its position: `redis:cas` -> `s1-redis-cas`. */
export function domId(name: string, index: number): string {
  return `s${index}-${name.replace(/[^A-Za-z0-9_-]/g, '-')}`;
}
