/**
 * Prices as canonical decimal strings. A price never travels or rests as a
 * float: the canonical form has exactly as many decimals as the currency's
 * ISO 4217 minor unit ("99.90" EUR, "1500" JPY, "1.250" BHD), no sign and no
 * leading zeros, so one amount has one spelling and one encoding.
 */
import { currencyDigits } from './currencies.js'

export { currencyDigits }

/** Digits before the point, at most; far beyond any real price, small enough to stay exact. */
const MAX_INTEGER_DIGITS = 18
/** A price as text (after trimming): digits, optionally a point and more digits. */
export const DECIMAL = /^(\d+)(?:\.(\d+))?$/

/** A price read as a decimal: integer digits without leading zeros, fraction digits without trailing ones. */
export interface Decimal {
  integer: string
  fraction: string
}

/**
 * Reads a price given as a number or a decimal string, checking all that does
 * not depend on the currency. Returns a message instead when it cannot be a price.
 */
export function parsePrice (price: unknown): Decimal | { error: string } {
  let text: string
  if (typeof price === 'number') {
    if (!Number.isFinite(price)) {
      return { error: 'must be a finite number' }
    }
    if (price < 0) {
      return { error: 'must not be negative' }
    }
    // the shortest decimal that round-trips to this double: 99.99 → "99.99"
    text = price.toString()
    if (text.includes('e')) {
      return { error: 'is out of range; give it as a decimal string' }
    }
  } else if (typeof price === 'string') {
    text = price.trim()
    if (text.startsWith('-')) {
      return { error: 'must not be negative' }
    }
  } else {
    return { error: 'must be a decimal string such as "99.99" or a number' }
  }
  const match = DECIMAL.exec(text)
  if (match == null) {
    return { error: `"${text}" is not a decimal number such as "99.99"` }
  }
  const integer = match[1].replace(/^0+(?=\d)/, '')
  if (integer.length > MAX_INTEGER_DIGITS) {
    return { error: `has more than ${MAX_INTEGER_DIGITS} digits before the point` }
  }
  return { integer, fraction: (match[2] ?? '').replace(/0+$/, '') }
}

/**
 * Turns a price given as a number or a decimal string into its canonical form
 * for `currency`. Returns a message instead when the price cannot be one.
 */
export function canonicalPrice (price: unknown, currency: string): { price: string } | { error: string } {
  const decimal = parsePrice(price)
  if ('error' in decimal) {
    return decimal
  }
  const digits = currencyDigits(currency)
  if (digits === undefined) {
    return { error: 'cannot be checked: the currency is not an ISO 4217 currency in use' }
  }
  const { integer, fraction } = decimal
  if (fraction.length > digits) {
    return { error: `has ${fraction.length} decimals; ${currency} allows ${digits}` }
  }
  return { price: digits === 0 ? integer : `${integer}.${fraction.padEnd(digits, '0')}` }
}
