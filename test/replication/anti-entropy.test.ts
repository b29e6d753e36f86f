/**
 * Anti-entropy between two replicas (real stores and handlers, in memory):
 * what a session moves, and what it costs when nothing, a little or
 * everything differs.
 */
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { productKey } from '../../src/model/keys.js'
import { Request, Response } from '../../src/model/messages.js'
import { childrenOf, entriesIn, isValidRange, MAX_SYNC_RANGES, WHOLE_KEYSPACE } from '../../src/replication/anti-entropy/ranges.js'
import { syncPair } from '../helpers/sync-pair.js'
import type { SyncPair } from '../helpers/sync-pair.js'

const RECORDS = 2_000

async function filled (pair: SyncPair, count: number, ...sides: Array<'a' | 'b'>): Promise<void> {
  for (let i = 0; i < count; i++) {
    const record = await pair.record(`AE-${i}`, 1)
    for (const s of sides) await pair[s].store.put(record)
  }
}

describe('anti-entropy between two replicas', () => {
  it('costs one exchange and moves nothing when both hold the same records', async () => {
    const pair = await syncPair()
    await filled(pair, RECORDS, 'a', 'b')
    const outcome = await pair.sync()
    assert.equal(outcome.requests, 1)
    assert.equal(outcome.syncMessages, 1)
    assert.equal(outcome.pushed + outcome.pulled, 0)
    assert.equal(outcome.confirmed.size, RECORDS)
    assert.ok(outcome.bytes < 200, `${outcome.bytes} bytes`)
  })

  it('moves only what differs, both ways, newest version winning', async () => {
    const pair = await syncPair()
    await filled(pair, RECORDS, 'a', 'b')
    // a holds newer versions of 5, b of 5 others; each lacks 5 the other has; one delete on b
    for (let i = 0; i < 5; i++) {
      await pair.a.store.put(await pair.record(`AE-${i}`, 2))
      await pair.b.store.put(await pair.record(`AE-${100 + i}`, 3))
      await pair.a.store.put(await pair.record(`AE-ONLY-A-${i}`, 1))
      await pair.b.store.put(await pair.record(`AE-ONLY-B-${i}`, 1))
    }
    await pair.b.store.put(await pair.record('AE-500', 2, true))
    assert.ok(!pair.converged())
    const outcome = await pair.sync()
    assert.ok(pair.converged(), 'both hold the same records after one session')
    assert.equal(outcome.pushed, 10)
    assert.equal(outcome.pulled, 11)
    assert.equal((await pair.a.store.get(productKey('AE-500')))?.tombstone, true, 'the delete moved like a record')
    assert.equal((await pair.b.store.get(productKey('AE-0')))?.version, 2n)
    assert.equal((await pair.a.store.get(productKey('AE-100')))?.version, 3n)
    // and a second session finds nothing left to do
    const again = await pair.sync()
    assert.equal(again.requests, 1)
    assert.equal(again.pushed + again.pulled, 0)
  })

  it('fills an empty replica', async () => {
    const pair = await syncPair()
    await filled(pair, RECORDS, 'a')
    const outcome = await pair.sync()
    assert.equal(outcome.pushed, RECORDS)
    assert.ok(pair.converged())
  })

  it('never lets an older record replace a newer one', async () => {
    const pair = await syncPair()
    await pair.a.store.put(await pair.record('AE-OLD', 1))
    await pair.b.store.put(await pair.record('AE-OLD', 4, true))
    await pair.sync()
    assert.equal((await pair.a.store.get(productKey('AE-OLD')))?.version, 4n)
    assert.equal((await pair.b.store.get(productKey('AE-OLD')))?.version, 4n)
  })
})

describe('SYNC requests a node refuses', () => {
  it('answers INVALID for malformed or too many ranges, and leaves the store alone', async () => {
    const pair = await syncPair()
    await filled(pair, 10, 'b')
    const ask = async (ranges: Request['ranges']): Promise<Response> => pair.b.handlers.handle({ type: Request.Type.SYNC, key: new Uint8Array(0), wantPeers: false, ranges }, pair.a.id)
    const fp = new Uint8Array(16)
    assert.equal((await ask([])).status, Response.Status.INVALID)
    assert.equal((await ask([{ prefix: new Uint8Array(3), bits: 4, count: 0, fingerprint: fp }])).status, Response.Status.INVALID)
    assert.equal((await ask([{ prefix: new Uint8Array(33), bits: 264, count: 0, fingerprint: fp }])).status, Response.Status.INVALID)
    assert.equal((await ask([{ prefix: Uint8Array.of(0x0f), bits: 4, count: 0, fingerprint: fp }])).status, Response.Status.INVALID, 'bits set past the prefix')
    assert.equal((await ask(Array.from({ length: MAX_SYNC_RANGES + 1 }, () => ({ ...WHOLE_KEYSPACE, count: 0, fingerprint: fp })))).status, Response.Status.INVALID)
    assert.equal(pair.b.store.size, 10)
  })

  it('splits a range into 16 children that partition it', async () => {
    const pair = await syncPair()
    await filled(pair, 300, 'a')
    const entries = pair.a.store.index.all()
    for (const range of [WHOLE_KEYSPACE, ...childrenOf(WHOLE_KEYSPACE).slice(0, 2)]) {
      const children = childrenOf(range)
      assert.equal(children.length, 16)
      assert.ok(children.every(isValidRange))
      assert.equal(children.reduce((n, child) => n + entriesIn(entries, child).length, 0), entriesIn(entries, range).length)
    }
  })
})
