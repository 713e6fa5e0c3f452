/**
 * An invoice issued this long after its order is late. Far above an ordinary invoice's lag, far below
 * the InvoiceLagHigh alert's threshold.
 */
const LATE_INVOICE_SECONDS = 1;

/**
 * Of a batch's invoices, by their lags in seconds: how many are late, and which one waited longest
 * (its index, -1 if none is late). A lag that is not a number (an order's `createdAt` that does not
 * parse) is never late.
 */
export function lateInvoices(lags: readonly number[]): { late: number; longest: number } {
  let late = 0;
  let longest = -1;
  lags.forEach((lag, i) => {
    if (!(lag >= LATE_INVOICE_SECONDS)) return;
    late++;
    if (longest < 0 || lag > lags[longest]) longest = i;
  });
  return { late, longest };
}
