/**
 * Two replicas in memory for anti-entropy: each a real record store behind
 * the real request handlers, both replicas of every key. Requests and
 * responses go through their protobuf encoding, so the bytes counted are the
 * bytes a stream would carry (framing aside).
 */
import '../../src/polyfill.js'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { defaultLogger } from '@libp2p/logger'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { MemoryDatastore } from 'datastore-core'
import { productKey } from '../../src/model/keys.js'
import { Request, Response } from '../../src/model/messages.js'
import { validateProduct } from '../../src/model/product.js'
import { PublisherPolicy } from '../../src/model/publishers.js'
import { createRecord, createTombstone } from '../../src/model/record.js'
import { signRecord } from '../../src/model/signature.js'
import { RequestHandlers } from '../../src/protocol/handlers/index.js'
import { storeRequest } from '../../src/protocol/requests.js'
import { syncWith } from '../../src/replication/anti-entropy/sync-session.js'
import { RecordStore } from '../../src/store/record-store.js'
import type { SyncOutcome } from '../../src/replication/anti-entropy/sync-session.js'
import type { WireRecord } from '../../src/model/record.js'
import type { PeerId, PrivateKey } from '@libp2p/interface'

const logger = defaultLogger()

export interface SyncSide {
  id: PeerId
  store: RecordStore
  handlers: RequestHandlers
}

export interface SyncPair {
  a: SyncSide
  b: SyncSide
  signer: PrivateKey
  /** a signed record of product `id` at `version` (a tombstone when `deleted`) */
  record(id: string, version: number, deleted?: boolean): Promise<WireRecord>
  /** one session started by `a` with `b`, with every request counted */
  sync(): Promise<SyncOutcome & { requests: number, bytes: number }>
  /** true when both hold the same records (same versions, same bytes) */
  converged(): boolean
}

async function side (): Promise<SyncSide> {
  const id = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
  const store = new RecordStore({ datastore: new MemoryDatastore(), logger })
  // both are replicas of every key: each shares everything with the other
  const handlers = new RequestHandlers({ store, policy: new PublisherPolicy(), logger, sharedWith: () => () => true })
  return { id, store, handlers }
}

export async function syncPair (): Promise<SyncPair> {
  const a = await side()
  const b = await side()
  const signer = await generateKeyPair('Ed25519')
  const record = async (id: string, version: number, deleted = false): Promise<WireRecord> => {
    const key = productKey(id)
    const unsigned = deleted
      ? createTombstone(key, BigInt(version), 1_700_000_000_000 + version)
      : createRecord(key, validateProduct({ id, name: `Product ${id} v${version}`, price: '9.99', currency: 'EUR' }), BigInt(version), 1_700_000_000_000 + version)
    return signRecord(unsigned, signer)
  }
  const sync = async (): Promise<SyncOutcome & { requests: number, bytes: number }> => {
    let requests = 0
    let bytes = 0
    const send = async (peer: PeerId, request: Request): Promise<Response> => {
      const to = peer.equals(b.id) ? b : a
      const wire = Request.encode(request)
      const response = Response.encode(await to.handlers.handleBytes(wire, a.id))
      requests++
      bytes += wire.byteLength + response.byteLength
      return Response.decode(response)
    }
    const outcome = await syncWith({
      entries: a.store.index.all(),
      send,
      read: async key => a.store.get(key),
      offer: async (record, from) => {
        const response = await a.handlers.handle(storeRequest(record), from)
        return response.status === Response.Status.OK
      },
      shouldHold: () => true,
      paced: async transfer => transfer()
    }, b.id, () => true)
    return { ...outcome, requests, bytes }
  }
  const converged = (): boolean => {
    const left = a.store.index.all()
    const right = b.store.index.all()
    return left.length === right.length && left.every((entry, i) =>
      entry.version === right[i].version && Buffer.compare(entry.digest, right[i].digest) === 0 && Buffer.compare(entry.key, right[i].key) === 0)
  }
  return { a, b, signer, record, sync, converged }
}
