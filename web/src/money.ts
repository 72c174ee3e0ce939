// Money is shown in the tenant's currency and the device's locale; amounts arrive from the API
// as decimal numbers in the currency's major unit.
const formats = new Map<string, Intl.NumberFormat>();

export function formatMoney(amount: number, currency: string, locale = navigator.language): string {
  const key = `${locale}|${currency}`;
  let format = formats.get(key);
  if (format === undefined) {
    format = new Intl.NumberFormat(locale, { style: "currency", currency });
    formats.set(key, format);
  }
  return format.format(amount);
}
