/**
 * The field rules of an order. Each check returns null when the value is acceptable and otherwise
 * the message a caller sees. The HTTP codecs use these same bounds and functions, so the edge and
 * the domain cannot disagree.
 */
export const CURRENCY_PATTERN = /^[A-Z]{3}$/;
export const SKU_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
export const SKU_MAX = 64;
export const ITEMS_MIN = 1;
export const ITEMS_MAX = 100;
export const QUANTITY_MIN = 1;
export const QUANTITY_MAX = 1000;
/**
 * A unit price is at most 10^12 cents (ten billion in the currency's main unit), so a line
 * (quantity times price, at most 10^15) is always exact in a JavaScript number. The total is
 * checked on its own: 100 lines could still go past Number.MAX_SAFE_INTEGER.
 */
export const UNIT_PRICE_MAX = 1_000_000_000_000;
export const TOTAL_MAX = Number.MAX_SAFE_INTEGER;

/**
 * The ISO 4217 codes of the runtime's internationalisation data (the currencies in use today),
 * when it offers the list; otherwise only the shape of a code is checked.
 */
const KNOWN_CURRENCIES: ReadonlySet<string> | null =
  typeof Intl.supportedValuesOf === 'function' ? new Set(Intl.supportedValuesOf('currency')) : null;

export function currencyProblem(value: string): string | null {
  if (!CURRENCY_PATTERN.test(value)) return 'Currency must be three upper-case letters (ISO 4217)';
  if (KNOWN_CURRENCIES !== null && !KNOWN_CURRENCIES.has(value))
    return `Unknown ISO 4217 currency code: ${value}`;
  return null;
}

export function skuProblem(value: string): string | null {
  if (value.length === 0 || value.length > SKU_MAX) return `SKU must be 1 to ${SKU_MAX} characters`;
  if (!SKU_PATTERN.test(value)) return 'SKU may contain only letters, digits, "-" and "_"';
  return null;
}

const integerProblem = (value: number, min: number, max: number): string | null =>
  Number.isInteger(value) && value >= min && value <= max
    ? null
    : `Must be an integer from ${min} to ${max}`;

export const quantityProblem = (value: number): string | null =>
  integerProblem(value, QUANTITY_MIN, QUANTITY_MAX);

export const unitPriceProblem = (value: number): string | null =>
  integerProblem(value, 0, UNIT_PRICE_MAX);

export const ITEM_COUNT_MESSAGE = `An order has ${ITEMS_MIN} to ${ITEMS_MAX} items`;

export function itemCountProblem(count: number): string | null {
  return count < ITEMS_MIN || count > ITEMS_MAX ? ITEM_COUNT_MESSAGE : null;
}

export const TOTAL_TOO_LARGE = `The order total must not exceed ${TOTAL_MAX} cents`;

/**
 * The total of the lines in integer cents, computed exactly (BigInt), or null when it would pass
 * Number.MAX_SAFE_INTEGER and could no longer be represented exactly.
 */
export function totalCents(
  items: readonly { quantity: number; unitPriceCents: number }[],
): number | null {
  let total = 0n;
  for (const item of items) total += BigInt(item.quantity) * BigInt(item.unitPriceCents);
  return total > BigInt(TOTAL_MAX) ? null : Number(total);
}
