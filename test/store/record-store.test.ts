import { describe, it, after } from 'node:test'
import { defaultLogger } from '@libp2p/logger'
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MemoryDatastore } from 'datastore-core'
import { LevelDatastore } from 'datastore-level'
import { productKey } from '../../src/model/keys.js'
import { validateProduct } from '../../src/model/product.js'
import { createRecord } from '../../src/model/record.js'
import { RecordStore } from '../../src/store/record-store.js'

const key = productKey('P001')
const product = validateProduct({ id: 'P001', name: 'Widget', price: '1.00', currency: 'EUR' })

describe('record store', () => {
  const dirs: string[] = []
  after(async () => { await Promise.all(dirs.map(async d => rm(d, { recursive: true, force: true }))) })

  it('never replaces a newer record with an older one', async () => {
    const store = new RecordStore({ datastore: new MemoryDatastore(), logger: defaultLogger() })
    assert.equal((await store.put(createRecord(key, product, 2n, 10))).stored, true)
    const older = await store.put(createRecord(key, product, 1n, 20))
    assert.equal(older.stored, false)
    assert.equal(older.previous?.version, 2n)
    assert.equal((await store.get(key))?.version, 2n)
    assert.equal((await store.put(createRecord(key, product, 3n, 5))).stored, true)
    assert.equal((await store.get(key))?.version, 3n)
  })

  it('holds records back (not served, not indexed) until an offer releases them or they are dropped, across reopening', async () => {
    const datastore = new MemoryDatastore()
    let store = new RecordStore({ datastore, logger: defaultLogger() })
    const other = productKey('P002')
    const third = productKey('P003')
    await store.put(createRecord(key, product, 2n, 10))
    await store.put(createRecord(other, validateProduct({ id: 'P002', name: 'Other', price: '1.00', currency: 'EUR' }), 1n, 10))
    await store.put(createRecord(third, validateProduct({ id: 'P003', name: 'Third', price: '1.00', currency: 'EUR' }), 1n, 10))
    assert.equal(await store.holdBackAll(), 3)
    assert.equal(store.size, 0)
    assert.equal(await store.get(key), undefined)
    assert.equal((await store.get(key, { includeHeldBack: true }))?.version, 2n)

    // the marks survive a restart
    store = new RecordStore({ datastore, logger: defaultLogger() })
    await store.load()
    assert.equal(store.heldBackCount, 3)
    assert.equal(store.size, 0)

    // an offer, even of an older version, releases the key; the newer record stays
    assert.equal((await store.put(createRecord(key, product, 1n, 5))).stored, false)
    assert.equal((await store.get(key))?.version, 2n)
    assert.equal(store.size, 1)
    // a dropped one is gone, on disk too
    assert.equal((await store.dropHeldBack(other))?.version, 1n)
    assert.equal(await store.get(other, { includeHeldBack: true }), undefined)
    assert.equal(await store.dropHeldBack(key), undefined, 'a released key is not dropped')
    assert.deepEqual(store.heldBackKeys().map(k => k.join()), [third.join()])
    store = new RecordStore({ datastore, logger: defaultLogger() })
    await store.load()
    assert.equal(store.heldBackCount, 1)
    assert.equal(store.size, 1)
  })

  it('keeps the newest of racing writes', async () => {
    const store = new RecordStore({ datastore: new MemoryDatastore(), logger: defaultLogger() })
    const versions = [5n, 3n, 9n, 1n, 7n, 2n, 8n]
    await Promise.all(versions.map(async v => store.put(createRecord(key, product, v, 1))))
    assert.equal((await store.get(key))?.version, 9n)
  })

  it('keeps records on disk across reopening', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'product-dht-store-'))
    dirs.push(dir)
    let datastore = new LevelDatastore(dir)
    await datastore.open()
    await new RecordStore({ datastore: datastore, logger: defaultLogger() }).put(createRecord(key, product, 4n, 1))
    await datastore.close()
    datastore = new LevelDatastore(dir)
    await datastore.open()
    const store = new RecordStore({ datastore: datastore, logger: defaultLogger() })
    assert.equal((await store.get(key))?.version, 4n)
    const all = []
    for await (const record of store.entries()) all.push(record)
    assert.equal(all.length, 1)
    await datastore.close()
  })

  it('answers undefined for a key it does not hold', async () => {
    assert.equal(await new RecordStore({ datastore: new MemoryDatastore(), logger: defaultLogger() }).get(productKey('nope')), undefined)
  })
})
