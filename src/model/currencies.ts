/**
 * The currencies a price may be given in: ISO 4217 List One as the
 * `currency-codes` package has it (data of 2024-06-25, the package's latest),
 * corrected for the amendments since and narrowed to money.
 */
import currencyCodes from 'currency-codes'

/** Codes that entered List One after the package's data: XCG on 2025-03-31 (amendment 176), minor unit 2. */
const ADDED: ReadonlyArray<[code: string, digits: number]> = [['XCG', 2]]

// Withdrawn codes the package still lists (ANG, replaced by XCG; BGN, by the
// euro; CUC) stay accepted: refusing them would make records already stored
// in them unreadable, and a catalog loses nothing by reading an old price.

/**
 * Codes ISO lists that are not money: precious metals, the IMF's SDR, the
 * Sucre, the ADB unit of account, the bond-market units, the testing code and
 * "no currency". Their minor unit is "N.A.", which the package gives as 0.
 */
const NOT_MONEY = ['XAU', 'XAG', 'XPT', 'XPD', 'XDR', 'XSU', 'XUA', 'XBA', 'XBB', 'XBC', 'XBD', 'XTS', 'XXX']

const DIGITS: ReadonlyMap<string, number> = (() => {
  const refused = new Set(NOT_MONEY)
  const table = new Map<string, number>()
  for (const { code, digits } of currencyCodes.data) {
    if (!refused.has(code)) table.set(code, digits)
  }
  for (const [code, digits] of ADDED) table.set(code, digits)
  return table
})()

/** Minor-unit digits of a currency code, or undefined when it is not one a price can be given in. */
export function currencyDigits (code: string): number | undefined {
  // ISO codes are upper case; "eur" is refused, not read as EUR
  return DIGITS.get(code)
}

/** Every accepted code, sorted. */
export function acceptedCurrencies (): string[] {
  return [...DIGITS.keys()].sort()
}
