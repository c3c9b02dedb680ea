// CSV of an async search result (SPEC S-3): UTF-8 with a BOM (spreadsheet programs then read
// Japanese text right), RFC 4180 (CRLF line ends; a field holding `"`, `,`, CR or LF is quoted
// with `"` doubled), and safe against formula injection: a cell starting with = + - @ TAB or CR
// gets a leading `'`, so a spreadsheet shows it as text instead of evaluating it (OWASP
// "CSV Injection"). Pure functions; the cursor reader feeds them a batch of rows at a time.

export const UTF8_BOM = '\uFEFF';
export const CSV_EOL = '\r\n';

const EQ = 0x3d; // =
const PLUS = 0x2b; // +
const MINUS = 0x2d; // -
const AT = 0x40; // @
const TAB = 0x09;
const CR = 0x0d;
const NEEDS_QUOTES = /[",\r\n]/;
const QUOTE = /"/g;

/** True when a spreadsheet could read the cell as a formula. */
export function isFormulaLike(value: string): boolean {
  if (value.length === 0) return false;
  const c = value.charCodeAt(0);
  return c === EQ || c === PLUS || c === MINUS || c === AT || c === TAB || c === CR;
}

/** One field: null/undefined → empty; formula-like → `'`-prefixed; quoted when RFC 4180 requires. */
export function csvCell(value: string | null | undefined): string {
  if (value === null || value === undefined || value.length === 0) return '';
  const v = isFormulaLike(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(v) ? `"${v.replace(QUOTE, '""')}"` : v;
}

/** One record, CRLF-terminated. */
export function csvRow(cells: readonly (string | null | undefined)[]): string {
  let line = '';
  for (let i = 0; i < cells.length; i++) {
    if (i > 0) line += ',';
    line += csvCell(cells[i]);
  }
  return line + CSV_EOL;
}

/** Many records at once (one string per cursor batch: fewer, larger writes). */
export function csvRows(rows: readonly (readonly (string | null | undefined)[])[]): string {
  let out = '';
  for (const r of rows) out += csvRow(r);
  return out;
}

/** The start of the file: BOM and the header record. */
export function csvHead(header: readonly string[]): string {
  return UTF8_BOM + csvRow(header);
}
