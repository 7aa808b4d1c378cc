// CSV for auditors and spreadsheets (RFC 4180): a header row, fields quoted when they hold a comma, a quote, a
// CR or LF (quotes doubled), CRLF line ends. Pure.

export function csvField(value: string | number | undefined): string {
  const text = value === undefined ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The header and the rows, each line ended by CRLF. */
export function toCsv(header: readonly string[], rows: readonly (string | number | undefined)[][]): string {
  return [header, ...rows].map((r) => `${r.map(csvField).join(',')}\r\n`).join('');
}
