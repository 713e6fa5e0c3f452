/**
 * Money is an integer amount of minor units (cents) plus an ISO 4217 code; never a float.
 * The bounds keep every order total below Number.MAX_SAFE_INTEGER:
 * MAX_ITEMS × MAX_QUANTITY × MAX_UNIT_PRICE = 1e15 < 9.007e15.
 */
export const MAX_ITEMS = 100;
export const MAX_QUANTITY = 10_000;
export const MAX_UNIT_PRICE = 1_000_000_000;

/** ISO 4217 codes known to the runtime's ICU data. */
export const CURRENCIES: readonly string[] = Intl.supportedValuesOf("currency");
