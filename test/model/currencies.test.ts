/**
 * The currency table: ISO 4217 as of the latest amendments, money only.
 */
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import currencyCodes from 'currency-codes'
import { acceptedCurrencies } from '../../src/model/currencies.js'
import { currencyDigits } from '../../src/model/money.js'

describe('currencies', () => {
  const accepted: Array<[string, number]> = [
    ['XCG', 2],
    ['EUR', 2],
    ['USD', 2],
    ['GBP', 2],
    ['CHF', 2],
    ['JPY', 0],
    ['KRW', 0],
    ['BHD', 3],
    ['KWD', 3],
    ['CLF', 4],
    ['XAF', 0],
    ['XOF', 0],
    ['XPF', 0],
    ['XCD', 2],
    ['ZWG', 2],
    ['SLE', 2],
    ['VED', 2],
    // withdrawn, still accepted so that records stored in them stay readable
    ['ANG', 2],
    ['BGN', 2]
  ]
  for (const [code, digits] of accepted) {
    it(`accepts ${code} with ${digits} decimals`, () => {
      assert.equal(currencyDigits(code), digits)
    })
  }

  const refused: Array<[string, string]> = [
    ['XAU', 'gold'],
    ['XAG', 'silver'],
    ['XPT', 'platinum'],
    ['XPD', 'palladium'],
    ['XDR', 'the SDR'],
    ['XSU', 'the Sucre'],
    ['XUA', 'the ADB unit of account'],
    ['XTS', 'the testing code'],
    ['XXX', '"no currency"'],
    ['XBA', 'a bond-market unit'],
    ['XBB', 'a bond-market unit'],
    ['XBC', 'a bond-market unit'],
    ['XBD', 'a bond-market unit'],
    ['HRK', 'withdrawn before the package data'],
    ['eur', 'lower case'],
    ['Eur', 'mixed case'],
    ['EURO', 'four letters'],
    ['', 'empty'],
    ['ABC', 'not a code']
  ]
  for (const [code, why] of refused) {
    it(`refuses ${JSON.stringify(code)}: ${why}`, () => {
      assert.equal(currencyDigits(code), undefined)
    })
  }

  it('accepts only three upper-case letters with 0 to 4 decimals', () => {
    for (const code of acceptedCurrencies()) {
      assert.match(code, /^[A-Z]{3}$/)
      const digits = currencyDigits(code)
      assert.ok(digits !== undefined && Number.isInteger(digits) && digits >= 0 && digits <= 4, `${code}: ${digits}`)
    }
  })

  it('accepts no X code but the currencies of several countries', () => {
    // a new X code in the package data is a unit to look at before it is accepted
    assert.deepEqual(acceptedCurrencies().filter(code => code.startsWith('X')), ['XAF', 'XCD', 'XCG', 'XOF', 'XPF'])
  })

  it('corrects the package data it was written for', () => {
    // the corrections in currencies.ts are for this edition of the list; review them on a newer one
    assert.equal(currencyCodes.publishDate, '2024-06-25')
  })
})
