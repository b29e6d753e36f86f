/**
 * Every route of the HTTP API, with its error cases, against two daemons
 * started as processes on 127.0.0.1: A takes writes with a bearer token
 * only, B has none. Products written through one are read through the
 * other, so every answer crossed the network.
 */
import { describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { request as httpRequest } from 'node:http'
import { productJsonSchema } from '../../src/model/product.js'
import { startDaemonProcess, stopDaemons } from '../helpers/daemon.js'
import type { DaemonProcess } from '../helpers/daemon.js'

const TOKEN = 'test-token-0123456789abcdef'

interface Answer {
  status: number
  headers: Headers
  body: any
}

async function call (base: string, method: string, path: string, options: { body?: unknown, raw?: string, headers?: Record<string, string>, token?: string } = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers }
  let body: string | undefined
  if (options.raw !== undefined || options.body !== undefined) {
    headers['content-type'] ??= 'application/json'
    body = options.raw ?? JSON.stringify(options.body)
  }
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`
  const response = await fetch(base + path, { method, headers, body, signal: AbortSignal.timeout(30_000) })
  const text = await response.text()
  let parsed: unknown = text
  try { parsed = JSON.parse(text) } catch {}
  return { status: response.status, headers: response.headers, body: parsed }
}

/**
 * Starts a POST that declares `length` bytes, sends only the start of them,
 * and resolves with the answer the API gives before reading the rest.
 */
async function declaredTooLarge (url: string, length: number): Promise<{ status: number, body: any }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': length, authorization: `Bearer ${TOKEN}` },
      signal: AbortSignal.timeout(30_000)
    })
    request.on('response', response => {
      let text = ''
      response.setEncoding('utf8').on('data', (chunk: string) => { text += chunk }).on('end', () => {
        request.destroy()
        resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) })
      })
    })
    request.on('error', reject)
    request.write('{"products": [')
  })
}

const widget = { name: 'Widget', price: 99.99, currency: 'EUR', tags: ['tools'] }

describe('the HTTP API of two daemons', () => {
  let a: DaemonProcess
  let b: DaemonProcess
  const put = async (id: string, product: unknown, headers: Record<string, string> = {}): Promise<Answer> =>
    call(a.url, 'PUT', `/v1/products/${encodeURIComponent(id)}`, { body: product, headers, token: TOKEN })

  before(async () => {
    a = await startDaemonProcess(['--api-token', TOKEN])
    b = await startDaemonProcess(['--bootstrap', a.multiaddrs[0]])
  })
  after(async () => {
    const codes = await stopDaemons([b, a])
    assert.deepEqual(codes, [0, 0], 'both daemons stop cleanly on SIGTERM')
  })

  it('puts through one daemon and gets through the other, the version as ETag', async () => {
    const stored = await put('HTTP-1', widget)
    assert.equal(stored.status, 200)
    assert.equal(stored.body.id, 'HTTP-1')
    assert.equal(stored.body.version, 1)
    assert.equal(stored.headers.get('etag'), '"1"')
    assert.deepEqual([...stored.body.replicas].sort(), [a.peerId, b.peerId].sort())

    const read = await call(b.url, 'GET', '/v1/products/HTTP-1')
    assert.equal(read.status, 200)
    assert.deepEqual(read.body, { id: 'HTTP-1', name: 'Widget', price: '99.99', currency: 'EUR', tags: ['tools'] })
    assert.equal(read.headers.get('etag'), '"1"')
    assert.equal(read.headers.get('x-product-publisher'), a.peerId)
    assert.equal(read.headers.get('x-replicas-agreed'), '2')
  })

  it('answers 404 ProductNotFoundError for an id nobody stored, and 400 for an id that cannot be one', async () => {
    const missing = await call(b.url, 'GET', '/v1/products/NOBODY-STORED-THIS')
    assert.equal(missing.status, 404)
    assert.equal(missing.body.name, 'ProductNotFoundError')
    const bad = await call(b.url, 'GET', `/v1/products/${encodeURIComponent('not an id!')}`)
    assert.equal(bad.status, 400)
    assert.equal(bad.body.name, 'InvalidProductError')
    assert.deepEqual(bad.body.issues.map((i: { field: string }) => i.field), ['id'])
  })

  it('refuses bad JSON, unknown fields and bad values with 400, naming each failing field', async () => {
    const notJson = await call(a.url, 'PUT', '/v1/products/HTTP-2', { raw: '{"name": "Widget",', token: TOKEN })
    assert.equal(notJson.status, 400)
    assert.equal(notJson.body.name, 'InvalidRequestError')

    const invalid = await put('HTTP-2', { name: '', price: '1.999', currency: 'EUR', stock: 4, colour: 'red' })
    assert.equal(invalid.status, 400)
    assert.equal(invalid.body.name, 'InvalidProductError')
    assert.deepEqual(invalid.body.issues.map((i: { field: string }) => i.field).sort(), ['colour', 'name', 'price', 'stock'])
    assert.match(invalid.body.issues.find((i: { field: string }) => i.field === 'price').message, /EUR allows 2/)

    const otherId = await put('HTTP-2', { ...widget, id: 'HTTP-3' })
    assert.equal(otherId.status, 400)
    assert.deepEqual(otherId.body.issues, [{ field: 'id', message: 'must be the id in the path (HTTP-2) or left out' }])

    const notAnObject = await put('HTTP-2', ['x'])
    assert.equal(notAnObject.status, 400)
    assert.equal(notAnObject.body.name, 'InvalidProductError')

    assert.equal((await call(b.url, 'GET', '/v1/products/HTTP-2')).status, 404, 'nothing was stored')
  })

  it('refuses a body that is not JSON (415) or too large (413)', async () => {
    const text = await call(a.url, 'PUT', '/v1/products/HTTP-4', { raw: 'name=Widget', headers: { 'content-type': 'text/plain' }, token: TOKEN })
    assert.equal(text.status, 415)
    assert.equal(text.body.name, 'UnsupportedMediaTypeError')
    assert.match(text.body.message, /Content-Type: application\/json/)
    const large = await put('HTTP-4', { ...widget, description: 'x'.repeat(300 * 1024) })
    assert.equal(large.status, 413)
    assert.equal(large.body.name, 'PayloadTooLargeError')
    // within the body limit, over the record limit (64 KiB encoded)
    const record = await put('HTTP-4', { ...widget, attributes: Object.fromEntries(Array.from({ length: 64 }, (_, i) => [`a${i}`, 'y'.repeat(1024)])), description: 'x'.repeat(4096) })
    assert.equal(record.status, 413)
    assert.equal(record.body.name, 'RecordTooLargeError')
  })

  it('requires the bearer token for writes on the daemon that has one, not for reads', async () => {
    const none = await call(a.url, 'PUT', '/v1/products/HTTP-5', { body: widget })
    assert.equal(none.status, 401)
    assert.equal(none.body.name, 'UnauthorizedError')
    assert.match(none.headers.get('www-authenticate') ?? '', /^Bearer/)
    const wrong = await call(a.url, 'PUT', '/v1/products/HTTP-5', { body: widget, token: 'not-the-token-at-all-0000' })
    assert.equal(wrong.status, 401)
    const deleteWithout = await call(a.url, 'DELETE', '/v1/products/HTTP-1')
    assert.equal(deleteWithout.status, 401)
    const batchWithout = await call(a.url, 'POST', '/v1/products:batch', { body: { products: [] } })
    assert.equal(batchWithout.status, 401)
    assert.equal((await call(a.url, 'GET', '/v1/products/HTTP-1')).status, 200, 'reads need no token')
    assert.equal((await call(b.url, 'GET', '/v1/products/HTTP-5')).status, 404, 'nothing was stored')
  })

  it('compare-and-set: If-Match on the version, If-None-Match: *, 412 with the current version', async () => {
    assert.equal((await put('HTTP-6', widget)).status, 200)
    const stale = await put('HTTP-6', { ...widget, price: '89.99' }, { 'if-match': '"7"' })
    assert.equal(stale.status, 412)
    assert.equal(stale.body.name, 'VersionConflictError')
    assert.equal(stale.body.currentVersion, 1)
    const fresh = await put('HTTP-6', { ...widget, price: '89.99' }, { 'if-match': '"1"' })
    assert.equal(fresh.status, 200)
    assert.equal(fresh.body.version, 2)
    const exists = await put('HTTP-6', widget, { 'if-none-match': '*' })
    assert.equal(exists.status, 412)
    assert.equal(exists.body.currentVersion, 2)
    const created = await put('HTTP-7', widget, { 'if-none-match': '*' })
    assert.equal(created.status, 200)
    const anyVersion = await put('HTTP-7', widget, { 'if-match': '*' })
    assert.equal(anyVersion.status, 200)
    assert.equal(anyVersion.body.version, 2)
    const noneToMatch = await put('HTTP-8', widget, { 'if-match': '*' })
    assert.equal(noneToMatch.status, 412)
    const malformed = await put('HTTP-6', widget, { 'if-match': '2' })
    assert.equal(malformed.status, 400)
    assert.equal(malformed.body.name, 'InvalidRequestError')
    const read = await call(b.url, 'GET', '/v1/products/HTTP-6')
    assert.equal(read.body.price, '89.99')
    assert.equal(read.headers.get('etag'), '"2"')
  })

  it('deletes, with and without If-Match; a deleted product is not found', async () => {
    assert.equal((await put('HTTP-9', widget)).status, 200)
    const stale = await call(a.url, 'DELETE', '/v1/products/HTTP-9', { headers: { 'if-match': '"5"' }, token: TOKEN })
    assert.equal(stale.status, 412)
    assert.equal((await call(b.url, 'GET', '/v1/products/HTTP-9')).status, 200)
    const deleted = await call(a.url, 'DELETE', '/v1/products/HTTP-9', { headers: { 'if-match': '"1"' }, token: TOKEN })
    assert.equal(deleted.status, 200)
    assert.equal(deleted.body.version, 2)
    assert.equal((await call(b.url, 'GET', '/v1/products/HTTP-9')).status, 404)
    const notOwner = await call(b.url, 'DELETE', '/v1/products/HTTP-7')
    assert.equal(notOwner.status, 403, 'B signs with its own key; A published HTTP-7')
    assert.equal(notOwner.body.name, 'NotOwnerError')
    assert.equal(notOwner.body.owner, a.peerId)
    assert.equal((await call(b.url, 'PUT', '/v1/products/HTTP-10', { body: widget })).status, 200, 'B has no token: loopback writes are open')
    assert.equal((await call(b.url, 'DELETE', '/v1/products/HTTP-10')).status, 200)
    assert.equal((await call(a.url, 'GET', '/v1/products/HTTP-10')).status, 404)
  })

  it('puts a batch: one result per product, in order, the bad ones named', async () => {
    const answer = await call(a.url, 'POST', '/v1/products:batch', {
      token: TOKEN,
      body: { products: [{ id: 'BATCH-1', ...widget }, { id: 'BATCH 2', ...widget }, { id: 'BATCH-3', ...widget, currency: 'eur' }, { id: 'BATCH-4', ...widget }] }
    })
    assert.equal(answer.status, 200)
    assert.equal(answer.body.succeeded, 2)
    assert.equal(answer.body.failed, 2)
    assert.deepEqual(answer.body.results.map((r: { ok: boolean, id?: string }) => [r.ok, r.id]), [[true, 'BATCH-1'], [false, 'BATCH 2'], [false, 'BATCH-3'], [true, 'BATCH-4']])
    assert.equal(answer.body.results[2].error.name, 'InvalidProductError')
    assert.deepEqual(answer.body.results[2].error.issues.map((i: { field: string }) => i.field), ['currency'])
    assert.equal((await call(b.url, 'GET', '/v1/products/BATCH-4')).status, 200)

    const unknown = await call(a.url, 'POST', '/v1/products:batch', { token: TOKEN, body: { products: [], mode: 'fast' } })
    assert.equal(unknown.status, 400)
    assert.equal(unknown.body.name, 'InvalidRequestError')
    assert.match(unknown.body.message, /mode/)
    const notList = await call(a.url, 'POST', '/v1/products:batch', { token: TOKEN, body: { products: {} } })
    assert.equal(notList.status, 400)
    const tooMany = await call(a.url, 'POST', '/v1/products:batch', { token: TOKEN, body: { products: Array.from({ length: 1001 }, (_, i) => ({ id: `X-${i}` })) } })
    assert.equal(tooMany.status, 400)
    assert.match(tooMany.body.message, /at most 1000/)
    const tooLarge = await declaredTooLarge(`${a.url}/v1/products:batch`, 9 * 1024 * 1024)
    assert.equal(tooLarge.status, 413, 'refused on the declared length, before the body is read')
    assert.equal(tooLarge.body.name, 'PayloadTooLargeError')
    const badJson = await call(a.url, 'POST', '/v1/products:batch', { token: TOKEN, raw: '{"products": [' })
    assert.equal(badJson.status, 400)
    assert.equal(badJson.body.name, 'InvalidRequestError')
  })

  it('lists the products a node holds, one JSON object a line', async () => {
    const response = await fetch(`${b.url}/v1/products`, { signal: AbortSignal.timeout(30_000) })
    assert.equal(response.status, 200)
    assert.match(response.headers.get('content-type') ?? '', /application\/x-ndjson/)
    const products = (await response.text()).split('\n').filter(l => l !== '').map(l => JSON.parse(l))
    const ids = products.map(p => p.id).sort()
    // with two nodes and r = 3, each holds every product; deleted ones are left out
    assert.deepEqual(ids, ['BATCH-1', 'BATCH-4', 'HTTP-1', 'HTTP-6', 'HTTP-7'])
  })

  it('tells its status and its peers', async () => {
    const status = await call(b.url, 'GET', '/v1/status')
    assert.equal(status.status, 200)
    assert.equal(status.body.peerId, b.peerId)
    assert.deepEqual(status.body.multiaddrs, b.multiaddrs)
    assert.ok(status.body.multiaddrs.every((m: string) => m.startsWith('/ip4/127.0.0.1/tcp/') && m.endsWith(`/p2p/${b.peerId}`)))
    assert.equal(status.body.recordPeers, 1)
    assert.equal(status.body.connectedPeers, 1)
    // products and tombstones: HTTP-1, HTTP-6, HTTP-7, HTTP-9 (deleted), HTTP-10 (deleted), BATCH-1, BATCH-4
    assert.equal(status.body.recordsHeld, 7)
    assert.equal(typeof status.body.underReplicated, 'number')
    assert.equal(typeof status.body.maintenance.passes, 'number')
    assert.equal(status.body.publisher, b.peerId)

    const peers = await call(a.url, 'GET', '/v1/peers')
    assert.equal(peers.status, 200)
    assert.equal(peers.body.peers.length, 1)
    const [peer] = peers.body.peers
    assert.equal(peer.peerId, b.peerId)
    assert.equal(peer.recordPeer, true)
    assert.ok(peer.protocols.includes('/product-dht/record/1.0.0'))
    assert.match(peer.addresses[0], /^\/ip4\/127\.0\.0\.1\/tcp\//)
  })

  it('serves an OpenAPI document whose Product schema is the one the node validates with', async () => {
    const doc = await call(b.url, 'GET', '/v1/openapi.json')
    assert.equal(doc.status, 200)
    assert.equal(doc.body.openapi, '3.1.0')
    const { $schema: _, ...expected } = productJsonSchema()
    assert.deepEqual(doc.body.components.schemas.Product, expected)
    assert.deepEqual(doc.body.components.schemas.Product.required.sort(), ['currency', 'id', 'name', 'price'])
    assert.ok(doc.body.components.schemas.Product.properties.currency.enum.includes('EUR'))
    for (const path of ['/v1/products/{id}', '/v1/products:batch', '/v1/products', '/v1/status', '/v1/peers', '/metrics', '/v1/activity', '/v1/keyspace']) {
      assert.ok(path in doc.body.paths, `the document describes ${path}`)
    }
  })

  it('answers unknown routes with 404 RouteNotFoundError', async () => {
    const answer = await call(b.url, 'GET', '/v2/things')
    assert.equal(answer.status, 404)
    assert.equal(answer.body.name, 'RouteNotFoundError')
  })

  it('serves Prometheus metrics after the traffic: libp2p\'s and product-dht\'s', async () => {
    const response = await fetch(`${a.url}/metrics`, { signal: AbortSignal.timeout(30_000) })
    assert.equal(response.status, 200)
    assert.match(response.headers.get('content-type') ?? '', /^text\/plain/)
    const text = await response.text()
    const value = (pattern: RegExp): number => {
      const line = text.split('\n').find(l => pattern.test(l))
      assert.ok(line !== undefined, `a line matching ${pattern}`)
      return Number(line.split(' ').at(-1))
    }
    // puts on A: HTTP-1, HTTP-6 ×2 (+1 refused), HTTP-7 ×2, HTTP-8 (refused), HTTP-9, BATCH-1, BATCH-4, and the refused ones
    assert.ok(value(/^product_dht_operations_total\{operation="put"\}/) >= 8)
    assert.ok(value(/^product_dht_operation_outcomes_total\{outcome="put:ok"\}/) >= 8)
    assert.ok(value(/^product_dht_operation_outcomes_total\{outcome="put:VersionConflictError"\}/) >= 2)
    assert.ok(value(/^product_dht_operation_duration_seconds_count\{operation="put"\}/) >= 8)
    assert.equal(value(/^product_dht_records_held /), 7)
    assert.ok(value(/^product_dht_replica_answers_total\{status="OK"\}/) >= 8)
    assert.ok(value(/^product_dht_replica_events_total\{event="stored"\}/) >= 1)
    assert.ok(value(/^product_dht_read_repairs_total /) >= 0)
    assert.ok(value(/^product_dht_busy_sent_total /) >= 0)
    assert.ok(value(/^product_dht_maintenance_total\{what="passes"\}/) >= 0)
    // libp2p's own metrics, and the process's
    assert.match(text, /^libp2p_connection_manager_connections\{/m)
    assert.match(text, /^nodejs_heap_size_total_bytes /m)
  })
})
