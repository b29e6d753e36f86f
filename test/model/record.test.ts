import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { InvalidRecordError, RecordTooLargeError } from '../../src/errors.js'
import { productKey } from '../../src/model/keys.js'
import { validateProduct } from '../../src/model/product.js'
import { MAX_RECORD_SIZE, compareRecords, createRecord, createTombstone, decodeRecord, encodeRecord, validateRecord } from '../../src/model/record.js'

const product = validateProduct({ id: 'P001', name: 'Widget', price: '99.99', currency: 'EUR', tags: ['a'], attributes: { w: 2 } })
const key = productKey('P001')

describe('records', () => {
  it('round-trips through its encoding', () => {
    const record = createRecord(key, product, 7n, 1_700_000_000_123)
    const decoded = decodeRecord(encodeRecord(record))
    assert.deepEqual(decoded, record)
    assert.deepEqual(validateRecord(decoded, key), product)
  })

  it('round-trips a tombstone', () => {
    const record = createTombstone(key, 3n, 1)
    const decoded = decodeRecord(encodeRecord(record))
    assert.equal(decoded.tombstone, true)
    assert.equal(decoded.product, undefined)
    assert.equal(validateRecord(decoded, key), undefined)
  })

  it('refuses a record whose product id does not hash to the key', () => {
    const record = createRecord(productKey('P002'), product, 1n, 1)
    assert.throws(() => validateRecord(record, productKey('P002')), InvalidRecordError)
    assert.throws(() => validateRecord(createRecord(key, product, 1n, 1), productKey('P002')), /does not match/)
  })

  it('refuses a non-canonical product', () => {
    const record = createRecord(key, product, 1n, 1)
    record.product = { ...record.product!, price: '99.990' }
    assert.throws(() => validateRecord(record, key), /canonical|decimals/)
    const unsorted = createRecord(key, validateProduct({ ...product, attributes: { a: 1, b: 2 } }), 1n, 1)
    unsorted.product!.attributes.reverse()
    assert.throws(() => validateRecord(unsorted, key), /canonical/)
  })

  it('refuses version 0 and a tombstone with a product', () => {
    assert.throws(() => validateRecord(createRecord(key, product, 0n, 1), key), /version/)
    assert.throws(() => validateRecord({ ...createRecord(key, product, 1n, 1), tombstone: true }, key), /tombstone/)
  })

  it('refuses garbage and oversized bytes', () => {
    assert.throws(() => decodeRecord(new Uint8Array([0xff, 0xff, 0xff])), InvalidRecordError)
    assert.throws(() => decodeRecord(new Uint8Array(MAX_RECORD_SIZE + 1)), RecordTooLargeError)
  })

  it('orders by version, then time, then tombstone, then bytes', () => {
    const v1 = createRecord(key, product, 1n, 500)
    const v2 = createRecord(key, product, 2n, 100)
    assert.ok(compareRecords(v2, v1) > 0)
    assert.ok(compareRecords(v1, v2) < 0)
    assert.ok(compareRecords(createRecord(key, product, 1n, 600), v1) > 0)
    assert.ok(compareRecords(createTombstone(key, 1n, 500), v1) > 0)
    const other = createRecord(key, validateProduct({ ...product, name: 'Other' }), 1n, 500)
    assert.equal(Math.sign(compareRecords(other, v1)), -Math.sign(compareRecords(v1, other)))
    assert.notEqual(compareRecords(other, v1), 0)
    assert.equal(compareRecords(v1, createRecord(key, product, 1n, 500)), 0)
  })
})
