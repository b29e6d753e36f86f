/**
 * The records this node holds as a replica, over any `interface-datastore`
 * (datastore-level on disk, MemoryDatastore otherwise). Writes are serialised
 * per key so that "never replace a newer record with an older one" holds even
 * when two PUTs for one key race.
 *
 * A record can be *held back*: kept on disk but neither served to reads nor
 * offered to anti-entropy, until the network confirms it. A node that was
 * away longer than the tombstone grace period holds back everything it had
 * (a product deleted meanwhile may have lost its tombstones everywhere, and
 * this copy must not bring it back). Any offer of a record for the key
 * releases it; `dropHeldBack` removes one the network no longer has.
 */
import { Key } from 'interface-datastore'
import { base32 } from 'multiformats/bases/base32'
import { equals as uint8ArrayEquals } from 'uint8arrays/equals'
import { compareRecords, decodeRecord, encodeRecord } from '../model/record.js'
import { indexEntry, RecordIndex } from './record-index.js'
import type { WireRecord } from '../model/record.js'
import type { AbortOptions, ComponentLogger, Logger } from '@libp2p/interface'
import type { Datastore } from 'interface-datastore'

/** Where records live in the datastore given (the service gives its own namespace, `/product-dht`). */
const PREFIX = '/records'
/** Where the keys of held-back records are marked (an empty value each). */
const HELD_BACK_PREFIX = '/held-back'

export interface StoreResult {
  /** true when the offered record is now the stored one (also when it was already) */
  stored: boolean
  /** the record held for the key before the call, if any */
  previous?: WireRecord
  /** why `admit` refused the record */
  refused?: string
}

export interface PutOptions extends AbortOptions {
  /** compare-and-set: keep the held record when its version is above this */
  expectedVersion?: bigint
  /** run under the key's lock with the held record: a reason to refuse the offered one, or undefined */
  admit?(current: WireRecord | undefined): string | undefined
}

export interface ReadOptions extends AbortOptions {
  /** answer a held-back record too (the network confirming one asks so) */
  includeHeldBack?: boolean
}

export class RecordStore {
  /** what the store holds and offers, in memory (held-back records left out): filled by load(), kept current by every change */
  readonly index = new RecordIndex()
  /** base32 keys of the held-back records */
  private readonly heldBack = new Set<string>()
  private readonly datastore: Datastore
  private readonly log: Logger
  private readonly locks = new Map<string, Promise<unknown>>()

  constructor (components: { datastore: Datastore, logger: ComponentLogger }) {
    this.datastore = components.datastore
    this.log = components.logger.forComponent('product-dht:store')
  }

  /** Builds the index from the datastore (at start: the datastore opens with the node). */
  async load (options?: AbortOptions): Promise<void> {
    this.heldBack.clear()
    for await (const key of this.datastore.queryKeys({ prefix: HELD_BACK_PREFIX }, options)) {
      this.heldBack.add(key.baseNamespace())
    }
    const entries = []
    for await (const { key, value } of this.datastore.query({ prefix: PREFIX }, options)) {
      if (this.heldBack.has(key.baseNamespace())) continue
      try {
        entries.push(indexEntry(decodeRecord(value), value))
      } catch (err) {
        this.log.error('skipping an unreadable stored record - %e', err)
      }
    }
    this.index.reset(entries)
  }

  /** Number of records held and offered (tombstones included, held-back records not). */
  get size (): number {
    return this.index.size
  }

  /** Number of records held back until the network confirms them. */
  get heldBackCount (): number {
    return this.heldBack.size
  }

  /** The keys of the held-back records. */
  heldBackKeys (): Array<Uint8Array<ArrayBuffer>> {
    return [...this.heldBack].map(id => Uint8Array.from(base32.baseDecode(id)))
  }

  /** Holds back every record held now (see the module comment); resolves to how many. */
  async holdBackAll (options?: AbortOptions): Promise<number> {
    const entries = this.index.all()
    const batch = this.datastore.batch()
    for (const entry of entries) {
      batch.put(this.heldBackKeyOf(entry.key), new Uint8Array(0))
    }
    await batch.commit(options)
    for (const entry of entries) {
      this.heldBack.add(base32.baseEncode(entry.key))
    }
    this.index.reset([])
    return entries.length
  }

  /**
   * Removes the held-back record of `key`: the network no longer has the
   * product. A record offered for the key since (which released it) is kept.
   */
  async dropHeldBack (key: Uint8Array, options?: AbortOptions): Promise<WireRecord | undefined> {
    return this.withLock(key, async () => {
      if (!this.heldBack.has(base32.baseEncode(key))) {
        return undefined
      }
      const current = await this.get(key, { ...options, includeHeldBack: true })
      await this.datastore.delete(this.keyOf(key), options)
      await this.datastore.delete(this.heldBackKeyOf(key), options)
      this.heldBack.delete(base32.baseEncode(key))
      return current
    })
  }

  private keyOf (key: Uint8Array): Key {
    return new Key(`${PREFIX}/${base32.baseEncode(key)}`)
  }

  private heldBackKeyOf (key: Uint8Array): Key {
    return new Key(`${HELD_BACK_PREFIX}/${base32.baseEncode(key)}`)
  }

  /** The record of `key`; a held-back one only with `includeHeldBack`. */
  async get (key: Uint8Array, options?: ReadOptions): Promise<WireRecord | undefined> {
    if (options?.includeHeldBack !== true && this.heldBack.has(base32.baseEncode(key))) {
      return undefined
    }
    const bytes = await this.read(key, options)
    return bytes === undefined ? undefined : decodeRecord(bytes)
  }

  private async read (key: Uint8Array, options?: AbortOptions): Promise<Uint8Array | undefined> {
    try {
      return await this.datastore.get(this.keyOf(key), options)
    } catch (err) {
      if ((err as Error).name === 'NotFoundError') {
        return undefined
      }
      throw err
    }
  }

  /** An offer for a held-back key shows the network has the product: the record held goes back into the index. */
  private async release (key: Uint8Array, options?: AbortOptions): Promise<void> {
    const id = base32.baseEncode(key)
    if (!this.heldBack.has(id)) return
    const bytes = await this.read(key, options)
    await this.datastore.delete(this.heldBackKeyOf(key), options)
    this.heldBack.delete(id)
    if (bytes !== undefined) this.index.set(indexEntry(decodeRecord(bytes), bytes))
    this.log('released held-back record %s: the network has the product', id)
  }

  /**
   * Stores `record` unless the store holds a newer one for its key. The
   * record must have been validated by the caller.
   */
  async put (record: WireRecord, options: PutOptions = {}): Promise<StoreResult> {
    return this.withLock(record.key, async () => {
      await this.release(record.key, options)
      const current = await this.get(record.key, options)
      const refused = options.admit?.(current)
      if (refused !== undefined) {
        return { stored: false, previous: current, refused }
      }
      if (current !== undefined && options.expectedVersion !== undefined && current.version > options.expectedVersion) {
        // another writer got there first: a conditional write never replaces it
        return { stored: compareRecords(record, current) === 0, previous: current }
      }
      if (current !== undefined) {
        const order = compareRecords(record, current)
        if (order === 0) {
          return { stored: true, previous: current }
        }
        if (order < 0) {
          this.log('kept version %d over offered version %d', current.version, record.version)
          return { stored: false, previous: current }
        }
      }
      const encoded = encodeRecord(record)
      await this.datastore.put(this.keyOf(record.key), encoded, options)
      this.index.set(indexEntry(record, encoded))
      return { stored: true, previous: current }
    })
  }

  /**
   * Deletes every record `expired` says is past keeping (tombstones past
   * their grace period, say); resolves to the records deleted.
   */
  async purge (expired: (record: WireRecord) => boolean, options?: AbortOptions): Promise<WireRecord[]> {
    const candidates: WireRecord[] = []
    for await (const record of this.entries(options)) {
      if (expired(record)) candidates.push(record)
    }
    const purged: WireRecord[] = []
    for (const record of candidates) {
      await this.withLock(record.key, async () => {
        // a newer record may have come in since the scan
        const current = await this.get(record.key, options)
        if (current !== undefined && expired(current)) {
          await this.datastore.delete(this.keyOf(record.key), options)
          this.index.delete(record.key)
          purged.push(current)
        }
      })
    }
    return purged
  }

  /**
   * Drops the record of `key` if it is still the one `digest` names (a
   * newer one that came in since is kept); resolves to the record dropped.
   * Maintenance calls it for a copy whose new holders acknowledged theirs.
   */
  async drop (key: Uint8Array, digest: Uint8Array, options?: AbortOptions): Promise<WireRecord | undefined> {
    return this.withLock(key, async () => {
      const entry = this.index.get(key)
      if (entry === undefined || !uint8ArrayEquals(entry.digest, digest)) {
        return undefined
      }
      const current = await this.get(key, options)
      await this.datastore.delete(this.keyOf(key), options)
      this.index.delete(key)
      return current
    })
  }

  /** Every record held, in datastore order; held-back ones only with `includeHeldBack`. */
  async * entries (options?: ReadOptions): AsyncGenerator<WireRecord> {
    for await (const { key, value } of this.datastore.query({ prefix: PREFIX }, options)) {
      if (options?.includeHeldBack !== true && this.heldBack.has(key.baseNamespace())) continue
      try {
        yield decodeRecord(value)
      } catch (err) {
        this.log.error('skipping an unreadable stored record - %e', err)
      }
    }
  }

  /** Runs `fn` after every earlier call for the same key has finished. */
  private async withLock <T> (key: Uint8Array, fn: () => Promise<T>): Promise<T> {
    const id = base32.baseEncode(key)
    const previous = this.locks.get(id) ?? Promise.resolve()
    const run = previous.then(fn, fn)
    const settled = run.catch(() => {})
    this.locks.set(id, settled)
    try {
      return await run
    } finally {
      if (this.locks.get(id) === settled) {
        this.locks.delete(id)
      }
    }
  }
}
