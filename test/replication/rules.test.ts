/**
 * The replication rules, one at a time, on a network in memory (no sockets):
 * placement on the r closest, failover, write quorum W, versions and retries,
 * compare-and-set, read quorum R, newest wins, not found vs not reached, and
 * read repair.
 */
import { describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { NotOwnerError, QuorumError, VersionConflictError } from '../../src/errors.js'
import { productKey } from '../../src/model/keys.js'
import { validateProduct } from '../../src/model/product.js'
import { Request } from '../../src/model/messages.js'
import { createRecord, createTombstone } from '../../src/model/record.js'
import { signRecord } from '../../src/model/signature.js'
import { FakeNetwork } from './fake-network.js'
import type { KeyBytes } from '../../src/model/keys.js'
import type { PrivateKey } from '@libp2p/interface'

function recordMaker (id: string, name: string): { key: KeyBytes, make: (version: bigint) => ReturnType<typeof createRecord> } {
  const key = productKey(id)
  const product = validateProduct({ id, name, price: '1.00', currency: 'EUR' })
  return { key, make: version => createRecord(key, product, version, Date.now()) }
}

async function waitFor (condition: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (await condition()) return
    await new Promise(resolve => setTimeout(resolve, 10))
  }
  assert.fail(`timed out waiting for ${what}`)
}

describe('replication rules (r = 3, W = 2, R = 2, 6 replicas in memory)', () => {
  let net: FakeNetwork
  before(async () => { net = await new FakeNetwork({ replicas: 6 }).start() })
  after(async () => { await net.stop() })

  it('writes to the r closest replicas and succeeds with their acknowledgements', async () => {
    const { key, make } = recordMaker('P-PLACE', 'placed')
    const receipt = await net.writer.write(key, make, 'put', { signer: net.signer })
    const closest = net.ranked(key).slice(0, 3)
    assert.deepEqual(receipt.acked.map(String).sort(), closest.map(r => r.id.toString()).sort())
    assert.equal(receipt.record.version, 1n)
    for (const replica of net.ranked(key).slice(3)) {
      assert.equal(await replica.store.get(key), undefined, 'a replica outside the r closest holds the record')
    }
  })

  it('replaces an unreachable replica with the next closest', async () => {
    const { key, make } = recordMaker('P-FAILOVER', 'failover')
    const ranked = net.ranked(key)
    const receipt = await net.withDown([ranked[0]], async () => net.writer.write(key, make, 'put', { signer: net.signer }))
    assert.deepEqual(receipt.acked.map(String).sort(), ranked.slice(1, 4).map(r => r.id.toString()).sort())
    assert.equal(receipt.failed.length, 1)
    assert.ok(receipt.failed[0].peer.equals(ranked[0].id))
  })

  it('rejects with QuorumError, naming who failed, when fewer than W acknowledge', async () => {
    const { key, make } = recordMaker('P-NOQUORUM', 'lonely')
    // all but one replica unreachable
    await net.withDown(net.ranked(key).slice(1), async () => {
      await assert.rejects(net.writer.write(key, make, 'put', { signer: net.signer }), (err: unknown) => {
        assert.ok(err instanceof QuorumError)
        assert.equal(err.needed, 2)
        assert.equal(err.succeeded, 1)
        assert.equal(err.failed.length, 5)
        return true
      })
    })
  })

  it('builds on a newer version a replica holds (a concurrent writer), and remembers it', async () => {
    const { key, make } = recordMaker('P-NEWER', 'raced')
    // another writer already put version 7 on every replica
    const seven = await signRecord(make(7n), net.signer)
    for (const replica of net.ranked(key).slice(0, 3)) await replica.store.put(seven)
    const receipt = await net.writer.write(key, make, 'put', { signer: net.signer })
    assert.equal(receipt.record.version, 8n)
    // the next write starts from what it learned: no STALE round trip
    const next = await net.writer.write(key, make, 'put', { signer: net.signer })
    assert.equal(next.record.version, 9n)
  })

  it('builds on a newer version even when W other replicas took the older one (a writer that never saw the product)', async () => {
    const { key, make } = recordMaker('P-NEWER-ON-ONE', 'one replica knows')
    // only the closest replica holds version 5 (the others joined since, or came back with old data)
    const [a, b, c] = net.ranked(key)
    await a.store.put(await signRecord(make(5n), net.signer))
    const receipt = await net.writer.write(key, make, 'put', { signer: net.signer })
    // version 1 acknowledged by b and c would lose to a's version 5 on every read and sync
    assert.equal(receipt.record.version, 6n)
    for (const replica of [a, b, c]) assert.equal((await replica.store.get(key))?.version, 6n)
  })

  it('compare-and-set: refuses a wrong expected version and changes nothing; takes the right one', async () => {
    const { key, make } = recordMaker('P-CAS', 'cas')
    await net.writer.write(key, make, 'put', { signer: net.signer, expectedVersion: 0 })
    await assert.rejects(net.writer.write(key, make, 'put', { signer: net.signer, expectedVersion: 0 }), (err: unknown) => {
      assert.ok(err instanceof VersionConflictError)
      assert.equal(err.currentVersion, 1)
      return true
    })
    for (const replica of net.ranked(key).slice(0, 3)) {
      assert.equal((await replica.store.get(key))?.version, 1n)
    }
    const second = await net.writer.write(key, make, 'put', { signer: net.signer, expectedVersion: 1 })
    assert.equal(second.record.version, 2n)
  })

  it('compare-and-set: a winner whose version a rival reached on one replica writes over it, one version up', async () => {
    const { key, make } = recordMaker('P-CAS-RIVAL', 'winner')
    await net.writer.write(key, make, 'put', { signer: net.signer, expectedVersion: 0 })
    const [first, ...others] = net.ranked(key).slice(0, 3)
    // a rival compare-and-set of version 1 reaches the first replica just before ours does
    const rival = await signRecord(recordMaker('P-CAS-RIVAL', 'rival').make(2n), net.signer)
    let raced = false
    const receipt = await net.withBeforeDelivery(async (replica, request) => {
      if (!raced && replica === first && request.type === Request.Type.PUT) {
        raced = true
        await replica.store.put(rival, { expectedVersion: 1n })
      }
    }, async () => net.writer.write(key, make, 'put', { signer: net.signer, expectedVersion: 1 }))
    assert.ok(raced)
    // version 2 on the other two was a win; sealed as 3, it replaced the rival too
    assert.equal(receipt.record.version, 3n)
    for (const replica of [first, ...others]) {
      const held = await replica.store.get(key)
      assert.equal(held?.version, 3n)
      assert.equal(held?.product?.name, 'winner')
    }
  })

  it('compare-and-set: loses to a rival that reached W replicas first, and leaves it in place', async () => {
    const { key, make } = recordMaker('P-CAS-LOST', 'loser')
    await net.writer.write(key, make, 'put', { signer: net.signer, expectedVersion: 0 })
    const replicas = net.ranked(key).slice(0, 3)
    const rival = await signRecord(recordMaker('P-CAS-LOST', 'rival').make(2n), net.signer)
    const reached = new Set<unknown>()
    const error = await net.withBeforeDelivery(async (replica, request) => {
      if (replicas.indexOf(replica) < 2 && request.type === Request.Type.PUT && !reached.has(replica)) {
        reached.add(replica)
        await replica.store.put(rival, { expectedVersion: 1n })
      }
    }, async () => net.writer.write(key, make, 'put', { signer: net.signer, expectedVersion: 1 })).catch(err => err)
    assert.ok(error instanceof VersionConflictError, String(error))
    assert.equal(error.currentVersion, 2)
    for (const replica of replicas.slice(0, 2)) {
      assert.equal((await replica.store.get(key))?.product?.name, 'rival')
    }
  })

  it('refuses another publisher in an open catalog with NotOwnerError naming the owner', async () => {
    const { key, make } = recordMaker('P-OWNED', 'owned')
    await net.writer.write(key, make, 'put', { signer: net.signer })
    const intruder: PrivateKey = await generateKeyPair('Ed25519')
    await assert.rejects(net.writer.write(key, make, 'put', { signer: intruder }), (err: unknown) => {
      assert.ok(err instanceof NotOwnerError)
      assert.equal(err.owner?.toString(), peerIdFromPrivateKey(net.signer).toString())
      return true
    })
  })

  it('reads the newest version among R answers', async () => {
    const { key, make } = recordMaker('P-NEWEST', 'newest')
    const [a, b, c] = net.ranked(key)
    await a.store.put(await signRecord(make(3n), net.signer))
    await b.store.put(await signRecord(make(5n), net.signer))
    await c.store.put(await signRecord(make(4n), net.signer))
    // a answers last: the read returns with b's and c's answers, and the newer of them
    net.slow.set(a.id.toString(), 300)
    try {
      const outcome = await net.reader.read(key)
      assert.equal(outcome.answered, 2)
      assert.equal(outcome.newest?.version, 5n)
      assert.equal(outcome.agreed, 1)
    } finally {
      net.slow.clear()
    }
  })

  it('repairs a replica it asked that answered with an older record, and leaves the one it did not ask to maintenance', async () => {
    const { key, make } = recordMaker('P-REPAIR', 'repair')
    const [a, b, c] = net.ranked(key)
    const v2 = await signRecord(make(2n), net.signer)
    await a.store.put(await signRecord(make(1n), net.signer))
    await b.store.put(v2)
    // c holds nothing
    const outcome = await net.reader.read(key)
    assert.equal(outcome.newest?.version, 2n)
    await waitFor(async () => (await a.store.get(key))?.version === 2n, 'read repair')
    assert.equal(await c.store.get(key), undefined, 'the replica the read did not ask was written to')
  })

  it('asks R replicas, and not the others, when the first R answer in time', async () => {
    const { key, make } = recordMaker('P-TWO', 'two asked')
    await net.writer.write(key, make, 'put', { signer: net.signer })
    const [a, b, c] = net.ranked(key)
    const gets = (replica: typeof a): number => replica.requests.filter(request => request.type === Request.Type.GET).length
    const before = [a, b, c].map(gets)
    for (let i = 0; i < 5; i++) {
      assert.equal((await net.reader.read(key)).newest?.version, 1n)
    }
    assert.deepEqual([a, b, c].map(gets), [before[0] + 5, before[1] + 5, before[2]])
  })

  it('says not found only after every replica answered, and finds a product only the third holds', async () => {
    const nobody = await net.reader.read(productKey('P-NOBODY'))
    assert.equal(nobody.newest, undefined)
    assert.equal(nobody.answered, 3)
    const { key, make } = recordMaker('P-THIRD', 'third')
    const [, , c] = net.ranked(key)
    await c.store.put(await signRecord(make(1n), net.signer))
    const outcome = await net.reader.read(key)
    assert.equal(outcome.newest?.product?.name, 'third')
  })

  it('asks the replicas it marked down after a failure before it says not found', async () => {
    const { key, make } = recordMaker('P-MARKED', 'marked down')
    const [a, b] = net.ranked(key)
    const record = await signRecord(make(1n), net.signer)
    await a.store.put(record)
    await b.store.put(record)
    // both failed a request a moment ago and are back: marked down, they rank after the rest
    net.view.markDown(a.id)
    net.view.markDown(b.id)
    try {
      assert.ok(!net.view.closest(key, 3).some(p => p.equals(a.id) || p.equals(b.id)))
      const outcome = await net.reader.read(key)
      assert.equal(outcome.newest?.product?.name, 'marked down')
    } finally {
      net.view.markUp(a.id)
      net.view.markUp(b.id)
    }
  })

  it('says not reached (QuorumError), never not found, when fewer than R answer', async () => {
    const key = productKey('P-UNREACHED')
    await net.withDown(net.ranked(key).slice(1), async () => {
      await assert.rejects(net.reader.read(key), (err: unknown) => {
        assert.ok(err instanceof QuorumError)
        assert.equal(err.operation, 'get')
        assert.equal(err.succeeded, 1)
        return true
      })
    })
  })

  it('returns at R answers without waiting for a slow replica', async () => {
    const { key, make } = recordMaker('P-SLOW', 'slow')
    await net.writer.write(key, make, 'put', { signer: net.signer })
    const slowest = net.ranked(key)[2]
    net.slow.set(slowest.id.toString(), 2_000)
    try {
      const started = performance.now()
      const outcome = await net.reader.read(key)
      assert.equal(outcome.newest?.version, 1n)
      assert.ok(performance.now() - started < 1_500, 'the read waited for the slow replica')
    } finally {
      net.slow.clear()
    }
  })

  it('reads a tombstone as the newest record, so a delete is never undone by an older put', async () => {
    const { key, make } = recordMaker('P-GONE', 'gone')
    await net.writer.write(key, make, 'put', { signer: net.signer })
    const deleted = await net.writer.write(key, version => createTombstone(key, version, Date.now()), 'delete', { signer: net.signer })
    assert.equal(deleted.record.version, 2n)
    const outcome = await net.reader.read(key)
    assert.equal(outcome.newest?.tombstone, true)
  })
})

describe('hedged reads (readHedgeDelay 30 ms)', () => {
  let net: FakeNetwork
  before(async () => { net = await new FakeNetwork({ replicas: 5, readHedgeDelay: 30 }).start() })
  after(async () => { await net.stop() })

  it('asks the third replica once one of the first R is slower than the hedge delay', async () => {
    const { key, make } = recordMaker('P-HEDGE', 'hedged')
    await net.writer.write(key, make, 'put', { signer: net.signer })
    const [a, , c] = net.ranked(key)
    const hedgedBefore = net.query.hedged
    const cGets = c.requests.filter(request => request.type === Request.Type.GET).length
    net.slow.set(a.id.toString(), 1_000)
    try {
      const started = performance.now()
      const outcome = await net.reader.read(key)
      assert.equal(outcome.newest?.version, 1n)
      assert.equal(outcome.answered, 2)
      assert.ok(performance.now() - started < 800, 'the read waited for the slow replica')
    } finally {
      net.slow.clear()
    }
    assert.equal(net.query.hedged, hedgedBefore + 1)
    assert.equal(c.requests.filter(request => request.type === Request.Type.GET).length, cGets + 1)
  })

  it('does not hedge when the first R answer within the delay', async () => {
    const { key, make } = recordMaker('P-NOHEDGE', 'not hedged')
    await net.writer.write(key, make, 'put', { signer: net.signer })
    const hedgedBefore = net.query.hedged
    for (let i = 0; i < 5; i++) await net.reader.read(key)
    assert.equal(net.query.hedged, hedgedBefore)
  })
})

describe("readFanout 'all'", () => {
  let net: FakeNetwork
  before(async () => { net = await new FakeNetwork({ replicas: 5, readFanout: 'all' }).start() })
  after(async () => { await net.stop() })

  it('asks every replica and repairs each that answered with an older record or none', async () => {
    const { key, make } = recordMaker('P-REPAIR-ALL', 'repair')
    const [a, b, c] = net.ranked(key)
    await a.store.put(await signRecord(make(1n), net.signer))
    await b.store.put(await signRecord(make(2n), net.signer))
    // c holds nothing
    const outcome = await net.reader.read(key)
    assert.equal(outcome.newest?.version, 2n)
    await waitFor(async () => (await a.store.get(key))?.version === 2n && (await c.store.get(key))?.version === 2n, 'read repair')
  })
})

describe('closer-peer hints (the node under test knows only some replicas)', () => {
  let net: FakeNetwork
  before(async () => { net = await new FakeNetwork({ replicas: 5 }).start() })
  after(async () => { await net.stop() })

  it('asks a replica it learned of from a reply', async () => {
    const { key, make } = recordMaker('P-HINT', 'hinted')
    const ranked = net.ranked(key)
    const hidden = ranked[0]
    net.view.remove(hidden.id)
    // the others name `hidden` as closer: give their handlers a view that knows it
    for (const replica of ranked.slice(1)) {
      (replica.handlers as unknown as { components: { hints: unknown } }).components.hints = async () => [{ id: hidden.id.toMultihash().bytes, addrs: [] }]
    }
    const receipt = await net.writer.write(key, make, 'put', { signer: net.signer })
    assert.ok(receipt.acked.some(peer => peer.equals(hidden.id)), 'the hinted closest replica was not asked')
    assert.ok(net.view.has(hidden.id))
  })

  it('asks r at once, as a lookup does, once replies name closer replicas it did not know', async () => {
    const { key, make } = recordMaker('P-HINT-READ', 'hinted read')
    await net.writer.write(key, make, 'put', { signer: net.signer })
    const [hidden, second, third] = net.ranked(key)
    net.view.remove(hidden.id)
    for (const replica of [second, third]) {
      (replica.handlers as unknown as { components: { hints: unknown } }).components.hints = async () => [{ id: hidden.id.toMultihash().bytes, addrs: [] }]
    }
    const gets = (replica: typeof hidden): number => replica.requests.filter(request => request.type === Request.Type.GET).length
    const before = gets(hidden)
    // the first round asks R of what the node knows; they name `hidden`, which
    // now ranks first: the read asks it too (after it returned: two replicas answered)
    const outcome = await net.reader.read(key)
    assert.equal(outcome.newest?.version, 1n)
    await waitFor(async () => gets(hidden) === before + 1, 'a GET to the hinted closest replica')
  })
})
