import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { toString as hex } from 'uint8arrays/to-string'
import { compareDistance, isKeyOf, keyPosition, productKey, productKeyString, rendezvousCid } from '../../src/model/keys.js'

// vectors computed outside this code base (Python hashlib + a hand-written base58)
const VECTORS = [
  {
    id: 'P001',
    key: '1220df1e40051eff4bcf9b4ebc93083bfcad7f5195746b3e657de6b72bf3cb8897c3',
    position: '65233e46d6850229067f8bb7e24872d6efaab33914ce518cdb570a84f57fdddc',
    text: 'QmdMcNxm3uYbfZVJrZds81BM2r1SUegWPxFAgLvC3N8Fyt'
  },
  {
    id: 'widget-42',
    key: '1220430d058c4c85dca1c81404e370e59530f2717c4d072a3a244b9526ba6c83088d',
    position: 'f743f83405baea1091a2033b7a9e50d9e749c81f44a0353ff0b09a74341e7b3a'
  }
]

describe('product keys', () => {
  for (const vector of VECTORS) {
    it(`derives the sha2-256 multihash of "${vector.id}"`, () => {
      const key = productKey(vector.id)
      assert.equal(hex(key, 'base16'), vector.key)
      assert.equal(hex(keyPosition(key), 'base16'), vector.position)
      assert.ok(isKeyOf(key, vector.id))
      if (vector.text !== undefined) {
        assert.equal(productKeyString(vector.id), vector.text)
      }
    })
  }

  it('hashes the UTF-8 bytes of the id', () => {
    assert.notEqual(hex(productKey('é'), 'base16'), hex(productKey('e'), 'base16'))
    assert.equal(productKey('P001').length, 34)
    assert.ok(!isKeyOf(productKey('P001'), 'P002'))
  })

  it('orders positions by XOR distance', () => {
    const target = new Uint8Array([0b1010, 0])
    assert.ok(compareDistance(target, new Uint8Array([0b1011, 0]), new Uint8Array([0b0010, 0])) < 0)
    assert.ok(compareDistance(target, new Uint8Array([0b1010, 9]), new Uint8Array([0b1010, 1])) > 0)
    assert.equal(compareDistance(target, new Uint8Array([1, 1]), new Uint8Array([1, 1])), 0)
  })

  it('derives a catalog\'s rendezvous CID: CIDv1, raw, sha2-256 of /product-dht/catalog/<name>', () => {
    // computed independently: base32 of 0x01 0x55 0x12 0x20 ‖ sha256("/product-dht/catalog/default")
    assert.equal(rendezvousCid('default').toString(), 'bafkreicvqzdsootxv6xf7rclxwuiwgyjlycj5xkfizhz3cnve3qxpz6qxy')
    assert.notEqual(rendezvousCid('acme').toString(), rendezvousCid('default').toString())
  })
})
