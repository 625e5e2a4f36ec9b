import { getTransactionsCsv, type TransactionFilters } from '../api/client';
import { downloadBlob } from './csv';
import { todayStamp } from './dates';

/**
 * Downloads the filtered history as the server streams it (`GET /api/credits/transactions.csv`:
 * the same columns and CSV-injection escaping as `@app/shared`'s csv module). The file is
 * named on the user's local day, as before.
 */
export async function exportTransactionsCsv(filters: TransactionFilters): Promise<void> {
  const csv = await getTransactionsCsv(filters);
  const suffix = filters.type ? `-${filters.type}` : '';
  downloadBlob(`transactions${suffix}-${todayStamp()}.csv`, csv);
}
