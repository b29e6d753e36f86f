import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { InvalidRecordError, RecordTooLargeError } from '../../src/errors.js'
import { productKey } from '../../src/model/keys.js'
import { validateProduct } from '../../src/model/product.js'
import { MAX_RECORD_SIZE, compareRecords, createRecord, createTombstone, decodeRecord, encodeRecord, validateRecord, verifyRecord } from '../../src/model/record.js'
import { signRecord, signingPayload, SIGNATURE_DOMAIN } from '../../src/model/signature.js'
import { VerifiedRecords } from '../../src/model/verified-records.js'
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { WireRecord } from '../../src/model/record.js'

const product = validateProduct({ id: 'P001', name: 'Widget', price: '99.99', currency: 'EUR', tags: ['a'], attributes: { w: 2 } })
const key = productKey('P001')
const seller = await generateKeyPair('Ed25519')
const sign = async (record: WireRecord): Promise<WireRecord> => signRecord(record, seller)

describe('records', () => {
  it('round-trips through its encoding', async () => {
    const record = await sign(createRecord(key, product, 7n, 1_700_000_000_123))
    const decoded = decodeRecord(encodeRecord(record))
    assert.deepEqual(decoded, record)
    assert.deepEqual(validateRecord(decoded, key), product)
  })

  it('round-trips a tombstone', async () => {
    const record = await sign(createTombstone(key, 3n, 1))
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

  it('refuses a non-canonical product', async () => {
    const record = await sign(createRecord(key, product, 1n, 1))
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

  it('refuses a record that is unsigned, tampered with, or signed by a key other than the one it names', async () => {
    assert.throws(() => validateRecord(createRecord(key, product, 1n, 1), key), /not signed/)
    const signed = await sign(createRecord(key, product, 1n, 1))
    assert.deepEqual(validateRecord(signed, key), product)
    // every signed field counts
    for (const tampered of [
      { ...signed, version: 2n },
      { ...signed, updatedAt: 2n },
      { ...signed, expiresAt: 9_999_999_999_999n },
      { ...signed, product: { ...signed.product!, price: '0.01' } }
    ]) {
      assert.throws(() => validateRecord(tampered, key), /signature does not verify/)
    }
    const flipped = new Uint8Array(signed.signature)
    flipped[0] ^= 1
    assert.throws(() => validateRecord({ ...signed, signature: flipped }, key), /signature does not verify/)
    // a valid signature by another key, under this key's name
    const other = await signRecord(createRecord(key, product, 1n, 1), await generateKeyPair('Ed25519'))
    assert.throws(() => validateRecord({ ...other, publicKey: signed.publicKey }, key), /signature does not verify/)
    // a tombstone signed as a product is no tombstone
    const tombstone = await sign(createTombstone(key, 2n, 1))
    assert.throws(() => validateRecord({ ...tombstone, tombstone: false, product: signed.product }, key), /signature does not verify/)
  })

  it('signs a domain-separated payload, and accepts secp256k1 publishers but not RSA', async () => {
    const record = await sign(createRecord(key, product, 1n, 1))
    assert.deepEqual(signingPayload(record).subarray(0, SIGNATURE_DOMAIN.byteLength), SIGNATURE_DOMAIN)
    assert.ok(seller.publicKey.verify(signingPayload(record), record.signature), 'libp2p verifies what node:crypto signed')
    const secp = await signRecord(createRecord(key, product, 1n, 1), await generateKeyPair('secp256k1'))
    assert.deepEqual(validateRecord(secp, key), product)
    await assert.rejects(signRecord(createRecord(key, product, 1n, 1), await generateKeyPair('RSA', 1024)), /Ed25519 or secp256k1/)
  })

  it('checks the same bytes once with a verified set, and a changed copy in full every time', async () => {
    const verified = new VerifiedRecords(2)
    const signed = await sign(createRecord(key, product, 1n, 1))
    verifyRecord(signed, key, verified)
    assert.equal(verified.size, 1)
    // another replica's copy: a new object with the same bytes
    verifyRecord(decodeRecord(encodeRecord(signed)), key, verified)
    assert.equal(verified.size, 1)
    // bytes that passed before are still refused under another key
    assert.throws(() => verifyRecord(signed, productKey('P002'), verified), /does not match/)
    // a copy changed anywhere has other bytes: checked, refused, never remembered
    for (const tampered of [
      { ...signed, version: 2n },
      { ...signed, product: { ...signed.product!, price: '0.01' } },
      { ...signed, product: { ...signed.product!, price: '99.990' } }
    ]) {
      assert.throws(() => verifyRecord(tampered, key, verified), InvalidRecordError)
    }
    assert.equal(verified.size, 1)
    // bounded: the oldest digest goes
    const second = await sign(createRecord(key, product, 2n, 1))
    const third = await sign(createRecord(key, product, 3n, 1))
    verifyRecord(second, key, verified)
    verifyRecord(third, key, verified)
    assert.equal(verified.size, 2)
    assert.equal(verified.has(verified.digestOf(encodeRecord(signed))), false)
    assert.equal(verified.has(verified.digestOf(encodeRecord(third))), true)
  })
})
