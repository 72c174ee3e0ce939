// Notes and coins a drawer holds, by currency, for counting it denomination by denomination.
// A currency not listed is counted as one total.
const DENOMINATIONS: Record<string, number[]> = {
  USD: [100, 50, 20, 10, 5, 1, 0.25, 0.1, 0.05, 0.01],
  CAD: [100, 50, 20, 10, 5, 2, 1, 0.25, 0.1, 0.05],
  AUD: [100, 50, 20, 10, 5, 2, 1, 0.5, 0.2, 0.1, 0.05],
  EUR: [200, 100, 50, 20, 10, 5, 2, 1, 0.5, 0.2, 0.1, 0.05, 0.02, 0.01],
  GBP: [50, 20, 10, 5, 2, 1, 0.5, 0.2, 0.1, 0.05, 0.02, 0.01],
};

export function denominationsOf(currency: string): number[] {
  return DENOMINATIONS[currency] ?? [];
}

/** The sum of a count (how many of each denomination), exact: added in minor units, so 3 ×
 * 0.1 is 0.3 and not 0.30000000000000004. */
export function countedTotal(currency: string, counts: Map<number, number>): number {
  const digits = new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions()
    .maximumFractionDigits ?? 2;
  const scale = 10 ** digits;
  let minor = 0;
  for (const [denomination, count] of counts) minor += Math.round(denomination * scale) * count;
  return minor / scale;
}
