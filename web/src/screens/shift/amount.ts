/** An amount typed by a person ("12.5", "12,50"), or null when it is not one (blank, text,
 * negative). */
export function parseAmount(typed: string): number | null {
  const text = typed.trim().replace(",", ".");
  if (!/^\d+(\.\d+)?$/.test(text)) return null;
  return Number(text);
}
