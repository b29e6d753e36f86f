/**
 * The records this node holds as a replica, over any `interface-datastore`
 * (datastore-level on disk, MemoryDatastore otherwise). Writes are serialised
 * per key so that "never replace a newer record with an older one" holds even
 * when two PUTs for one key race.
 */
import { Key } from 'interface-datastore'
import { base32 } from 'multiformats/bases/base32'
import { compareRecords, decodeRecord, encodeRecord } from '../model/record.js'
import type { WireRecord } from '../model/record.js'
import type { AbortOptions, ComponentLogger, Logger } from '@libp2p/interface'
import type { Datastore } from 'interface-datastore'

/** Where records live in the datastore given (the service gives its own namespace, `/product-dht`). */
const PREFIX = '/records'

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

export class RecordStore {
  private readonly datastore: Datastore
  private readonly log: Logger
  private readonly locks = new Map<string, Promise<unknown>>()

  constructor (components: { datastore: Datastore, logger: ComponentLogger }) {
    this.datastore = components.datastore
    this.log = components.logger.forComponent('product-dht:store')
  }

  private keyOf (key: Uint8Array): Key {
    return new Key(`${PREFIX}/${base32.baseEncode(key)}`)
  }

  async get (key: Uint8Array, options?: AbortOptions): Promise<WireRecord | undefined> {
    const dsKey = this.keyOf(key)
    let bytes: Uint8Array
    try {
      bytes = await this.datastore.get(dsKey, options)
    } catch (err) {
      if ((err as Error).name === 'NotFoundError') {
        return undefined
      }
      throw err
    }
    return decodeRecord(bytes)
  }

  /**
   * Stores `record` unless the store holds a newer one for its key. The
   * record must have been validated by the caller.
   */
  async put (record: WireRecord, options: PutOptions = {}): Promise<StoreResult> {
    return this.withLock(record.key, async () => {
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
      await this.datastore.put(this.keyOf(record.key), encodeRecord(record), options)
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
          purged.push(current)
        }
      })
    }
    return purged
  }

  /** How many records are held (tombstones included), counted from the keys alone. */
  async count (options?: AbortOptions): Promise<number> {
    let held = 0
    for await (const _ of this.datastore.queryKeys({ prefix: PREFIX }, options)) {
      held++
    }
    return held
  }

  /** Every record held, in datastore order. */
  async * entries (options?: AbortOptions): AsyncGenerator<WireRecord> {
    for await (const { value } of this.datastore.query({ prefix: PREFIX }, options)) {
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
