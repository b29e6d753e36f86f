import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { InvalidProductError } from '../../src/errors.js'
import { canonicalPrice } from '../../src/model/money.js'
import { productFromWire, productToWire, validateProduct } from '../../src/model/product.js'

const base = { id: 'P001', name: 'Widget', price: '99.99', currency: 'EUR' }

/** The fields an invalid product is refused for. */
function failingFields (input: unknown): string[] {
  try {
    validateProduct(input)
  } catch (err) {
    assert.ok(err instanceof InvalidProductError)
    assert.equal(err.name, 'InvalidProductError')
    return err.issues.map(i => i.field)
  }
  assert.fail('expected InvalidProductError')
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
    ['1.00', 'EURO', /not an ISO 4217 code/]
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
    ['an unknown field', { ...base, stock: 5 }, ['']],
    ['several bad fields at once', { ...base, name: '', price: 'abc' }, ['name', 'price']]
  ]
  for (const [what, input, fields] of cases) {
    it(`refuses ${what}, naming ${fields.map(f => f === '' ? '(product)' : f).join(', ')}`, () => {
      assert.deepEqual(failingFields(input).sort(), [...fields].sort())
    })
  }

  it('refuses what is not an object', () => {
    assert.throws(() => validateProduct(null), InvalidProductError)
    assert.throws(() => validateProduct('P001'), InvalidProductError)
  })
})
