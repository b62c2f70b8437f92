// One CSV text cell, as both exports (/api/export and `board export --format csv`) write it.
//
// Formula injection: a run or tag name is whatever a directory or a writer called it, and a
// spreadsheet runs a cell that starts with = + - @ (or tab / CR, which some strip first) as a
// formula. OWASP's advice: prefix such a cell with a single quote, which spreadsheets show as
// text. Only text cells go through here; steps, wall times and values are numbers we format.
// The JSON exports stay exact: JSON has no formulas.

const FORMULA_START = /^[=+\-@\t\r]/;

/** A text field, defused and quoted as RFC 4180 needs (comma, quote, line break, edge spaces). */
export function csvTextCell(value: string): string {
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) || safe !== safe.trim() ? `"${safe.replaceAll('"', '""')}"` : safe;
}
