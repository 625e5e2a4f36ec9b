import type { Transaction } from './schemas.ts';

/**
 * RFC 4180 CSV, written for spreadsheets people actually open (Excel, Numbers, Sheets). One
 * module for the server's streamed export and the web client, so both escape alike.
 */

export type CsvValue = string | number | boolean | null | undefined;

// A text cell starting with one of these is run as a formula by spreadsheet apps
// (CSV injection), so it is prefixed with an apostrophe. Numbers are written as-is.
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One record, with its CRLF line break. */
export function csvLine(row: readonly CsvValue[]): string {
  return row.map(csvCell).join(',') + '\r\n';
}

export function toCsv(header: readonly string[], rows: readonly (readonly CsvValue[])[]): string {
  return csvLine(header) + rows.map(csvLine).join('');
}

export const TRANSACTION_CSV_HEADER = [
  'Date',
  'Type',
  'Amount',
  'Balance after',
  'Description',
  'Reference type',
  'Reference ID',
  'Transaction ID',
] as const;

/** ISO timestamps keep the export sortable and unambiguous in any locale. */
export function transactionCsvRow(t: Transaction): CsvValue[] {
  return [
    t.createdAt,
    t.type,
    t.amount,
    t.balanceAfter,
    t.description,
    t.referenceType,
    t.referenceId,
    t.id,
  ];
}
