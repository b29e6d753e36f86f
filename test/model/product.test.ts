import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { InvalidProductError } from '../../src/errors.js'
import type { FieldIssue } from '../../src/errors.js'
import { canonicalPrice } from '../../src/model/money.js'
import { productFromWire, productToWire, validateProduct } from '../../src/model/product.js'

const base = { id: 'P001', name: 'Widget', price: '99.99', currency: 'EUR' }

/** What an invalid product is refused for. */
function issuesOf (input: unknown): FieldIssue[] {
  try {
    validateProduct(input)
  } catch (err) {
    assert.ok(err instanceof InvalidProductError)
    assert.equal(err.name, 'InvalidProductError')
    return err.issues
  }
  assert.fail('expected InvalidProductError')
}

/** The fields an invalid product is refused for. */
function failingFields (input: unknown): string[] {
  return issuesOf(input).map(i => i.field)
}

describe('prices', () => {
  const valid: Array<[unknown, string, string]> = [
    [99.99, 'EUR', '99.99'],
    ['99.99', 'EUR', '99.99'],
    [10, 'EUR', '10.00'],
    ['007.5', 'EUR', '7.50'],
    ['0', 'USD', '0.00'],
    [1500, 'JPY', '1500'],
    ['1500.000', 'JPY', '1500'],
    ['1.5', 'XCG', '1.50'],
    ['1.234', 'BHD', '1.234'],
    [0.1, 'BHD', '0.100'],
    ['123456789012345678.99', 'EUR', '123456789012345678.99']
  ]
  for (const [input, currency, expected] of valid) {
    it(`turns ${JSON.stringify(input)} ${currency} into "${expected}"`, () => {
      assert.deepEqual(canonicalPrice(input, currency), { price: expected })
    })
  }

  const invalid: Array<[unknown, string, RegExp]> = [
    [99.999, 'EUR', /3 decimals; EUR allows 2/],
    ['1500.5', 'JPY', /JPY allows 0/],
    ['1.2345', 'BHD', /BHD allows 3/],
    [-1, 'EUR', /negative/],
    ['-1.00', 'EUR', /negative/],
    [Number.NaN, 'EUR', /finite/],
    [Number.POSITIVE_INFINITY, 'EUR', /finite/],
    [1e21, 'EUR', /out of range/],
    ['1e3', 'EUR', /not a decimal/],
    ['', 'EUR', /not a decimal/],
    ['12,50', 'EUR', /not a decimal/],
    [null, 'EUR', /decimal string/],
    ['1234567890123456789', 'EUR', /more than 18 digits/],
    ['1.00', 'EURO', /not an ISO 4217 currency/],
    ['1.00', 'XAU', /not an ISO 4217 currency/],
    // what is wrong whatever the currency is said even when the currency is wrong
    [-1, 'ZZZ', /negative/],
    ['abc', 'XAU', /not a decimal/],
    [Number.NaN, 'eur', /finite/],
    ['1234567890123456789', '', /more than 18 digits/]
  ]
  for (const [input, currency, message] of invalid) {
    it(`refuses ${JSON.stringify(input) ?? String(input)} ${currency}`, () => {
      const result = canonicalPrice(input, currency)
      assert.ok('error' in result, `expected an error, got ${JSON.stringify(result)}`)
      assert.match(result.error, message)
    })
  }
})

describe('product validation', () => {
  it('returns the canonical product', () => {
    const product = validateProduct({
      ...base,
      price: 5,
      tags: ['b', 'a'],
      images: ['https://example.com/w.png', 'bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi'],
      attributes: { weight: 1.5, color: 'red', fragile: false },
      description: 'A widget',
      category: 'tools'
    })
    assert.deepEqual(product, {
      id: 'P001',
      name: 'Widget',
      price: '5.00',
      currency: 'EUR',
      description: 'A widget',
      category: 'tools',
      tags: ['b', 'a'],
      images: ['https://example.com/w.png', 'bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi'],
      attributes: { color: 'red', fragile: false, weight: 1.5 }
    })
    assert.deepEqual(Object.keys(product.attributes ?? {}), ['color', 'fragile', 'weight'])
  })

  it('leaves out empty lists and maps', () => {
    assert.deepEqual(validateProduct({ ...base, tags: [], images: [], attributes: {} }), base)
  })

  it('round-trips through the wire form', () => {
    const product = validateProduct({ ...base, tags: ['x'], attributes: { a: 1, b: 'two', c: true } })
    assert.deepEqual(productFromWire(productToWire(product)), product)
  })

  const cases: Array<[string, unknown, string[]]> = [
    ['a missing id', { ...base, id: undefined }, ['id']],
    ['an empty id', { ...base, id: '' }, ['id']],
    ['an id with a space', { ...base, id: 'P 001' }, ['id']],
    ['an id of 129 characters', { ...base, id: 'x'.repeat(129) }, ['id']],
    ['an empty name', { ...base, name: '' }, ['name']],
    ['a name of 257 characters', { ...base, name: 'n'.repeat(257) }, ['name']],
    ['a lower-case currency', { ...base, currency: 'eur' }, ['currency']],
    ['an unknown currency', { ...base, currency: 'ABC' }, ['currency']],
    ['too many decimals', { ...base, price: '1.001' }, ['price']],
    ['a negative price', { ...base, price: -5 }, ['price']],
    ['a description of 4097 characters', { ...base, description: 'd'.repeat(4097) }, ['description']],
    ['an empty category', { ...base, category: '' }, ['category']],
    ['33 tags', { ...base, tags: Array.from({ length: 33 }, (_, i) => `t${i}`) }, ['tags']],
    ['an empty tag', { ...base, tags: ['ok', ''] }, ['tags.1']],
    ['17 images', { ...base, images: Array.from({ length: 17 }, (_, i) => `https://x.example/${i}.png`) }, ['images']],
    ['an image that is neither URL nor CID', { ...base, images: ['not an image'] }, ['images.0']],
    ['an ftp image', { ...base, images: ['ftp://x.example/a.png'] }, ['images.0']],
    ['a nested attribute', { ...base, attributes: { size: { w: 1 } } }, ['attributes.size']],
    ['an infinite attribute', { ...base, attributes: { size: Number.POSITIVE_INFINITY } }, ['attributes.size']],
    ['65 attributes', { ...base, attributes: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`a${i}`, i])) }, ['attributes']],
    ['an unknown field', { ...base, stock: 5 }, ['stock']],
    ['two unknown fields', { ...base, stock: 5, colour: 'red' }, ['stock', 'colour']],
    ['an unknown field with an empty name', { ...base, '': 1 }, ['""']],
    ['several bad fields at once', { ...base, name: '', price: 'abc' }, ['name', 'price']],
    ['a negative price in an unknown currency', { ...base, price: -1, currency: 'ZZZ' }, ['price', 'currency']],
    ['a price that is no number, in a currency that is no string', { ...base, price: 'abc', currency: 5 }, ['price', 'currency']],
    ['a well-formed price in a refused currency', { ...base, price: '1.999', currency: 'XAU' }, ['currency']],
    ['a missing price', { ...base, price: undefined }, ['price']],
    ['an empty product', {}, ['id', 'name', 'price', 'currency']],
    ['an attribute with an empty name', { ...base, attributes: { '': 1 } }, ['attributes.""']],
    ['an attribute name of 65 characters', { ...base, attributes: { ['a'.repeat(65)]: 1 } }, [`attributes.${'a'.repeat(65)}`]]
  ]
  for (const [what, input, fields] of cases) {
    it(`refuses ${what}, naming ${fields.map(f => f === '' ? '(product)' : f).join(', ')}`, () => {
      assert.deepEqual(failingFields(input).sort(), [...fields].sort())
    })
  }

  it('refuses what is not an object, for that alone', () => {
    for (const input of [null, undefined, 'P001', 5, [], [base]]) {
      assert.deepEqual(issuesOf(input), [{ field: '', message: 'must be an object' }])
    }
  })

  it('says what is wrong with each field', () => {
    const expected: Array<[unknown, FieldIssue]> = [
      [{ ...base, stock: 5 }, { field: 'stock', message: 'is not a product field' }],
      [{ ...base, id: undefined }, { field: 'id', message: 'is required' }],
      [{ ...base, id: 5 }, { field: 'id', message: 'must be a string' }],
      [{ ...base, id: 'P 001' }, { field: 'id', message: 'must be 1–128 characters of letters, digits, ".", "_", ":" or "-"' }],
      [{ ...base, name: '' }, { field: 'name', message: 'must not be empty' }],
      [{ ...base, name: 'n'.repeat(257) }, { field: 'name', message: 'must be at most 256 characters' }],
      [{ ...base, price: -1, currency: 'ZZZ' }, { field: 'price', message: 'must not be negative' }],
      [{ ...base, price: -1, currency: 'ZZZ' }, { field: 'currency', message: 'must be the ISO 4217 code of a currency in use, in upper case, such as "EUR"' }],
      [{ ...base, currency: undefined }, { field: 'currency', message: 'is required' }],
      [{ ...base, description: 5 }, { field: 'description', message: 'must be a string' }],
      [{ ...base, category: 'c'.repeat(129) }, { field: 'category', message: 'must be at most 128 characters' }],
      [{ ...base, tags: 'a, b' }, { field: 'tags', message: 'must be an array' }],
      [{ ...base, tags: Array.from({ length: 33 }, (_, i) => `t${i}`) }, { field: 'tags', message: 'must have at most 32 items' }],
      [{ ...base, tags: ['a', 'b', 'c', 't'.repeat(65)] }, { field: 'tags.3', message: 'must be at most 64 characters' }],
      [{ ...base, tags: ['a', 5] }, { field: 'tags.1', message: 'must be a string' }],
      [{ ...base, images: ['x'.repeat(2049)] }, { field: 'images.0', message: 'must be at most 2048 characters' }],
      [{ ...base, attributes: [] }, { field: 'attributes', message: 'must be an object' }],
      [{ ...base, attributes: { '': 1 } }, { field: 'attributes.""', message: 'is not a valid name: must not be empty' }],
      [{ ...base, attributes: { note: 'x'.repeat(1025) } }, { field: 'attributes.note', message: 'must be at most 1024 characters' }],
      [{ ...base, attributes: { size: null } }, { field: 'attributes.size', message: 'must be a string, a finite number or a boolean' }]
    ]
    for (const [input, issue] of expected) {
      assert.ok(issuesOf(input).some(i => i.field === issue.field && i.message === issue.message),
        `${JSON.stringify(issue)} among ${JSON.stringify(issuesOf(input))}`)
    }
  })

  it('names a field in every issue of an object, whatever its fields hold', () => {
    const value = fc.oneof(fc.anything(), fc.string(), fc.array(fc.string()), fc.dictionary(fc.string(), fc.anything()))
    const fields = fc.record({
      id: value, name: value, price: value, currency: value, description: value, category: value, tags: value, images: value, attributes: value
    }, { requiredKeys: [] })
    const input = fc.tuple(fields, fc.dictionary(fc.string(), fc.anything(), { maxKeys: 2 })).map(([known, extra]) => ({ ...extra, ...known }))
    fc.assert(fc.property(input, product => {
      try {
        validateProduct(product)
      } catch (err) {
        assert.ok(err instanceof InvalidProductError, String(err))
        for (const issue of err.issues) {
          assert.notEqual(issue.field, '', JSON.stringify(err.issues))
          assert.match(issue.message, /^(must|is|has|"|cannot)/, JSON.stringify(issue))
        }
      }
    }), { numRuns: 300 })
  })

  it('refuses an attribute map with a symbol key without throwing anything else', () => {
    assert.deepEqual(failingFields({ ...base, attributes: { [Symbol('s')]: 1 } }), ['attributes.Symbol(s)'])
  })
})
