/**
 * Purges tombstones and expired records once they are older than the grace
 * period, on a timer: at least as often as the grace period, at most hourly.
 */
import type { RecordStore } from './record-store.js'
import type { WireRecord } from '../model/record.js'
import type { Logger } from '@libp2p/interface'

export interface ExpiredRecordPurgeInit {
  /** ms a tombstone or an expired record is kept */
  gracePeriod: number
  /** called for each record deleted */
  onPurged?(record: WireRecord): void
}

export class ExpiredRecordPurge {
  private readonly store: RecordStore
  private readonly log: Logger
  private readonly init: ExpiredRecordPurgeInit
  private timer?: ReturnType<typeof setInterval>
  private running?: Promise<void>

  constructor (store: RecordStore, log: Logger, init: ExpiredRecordPurgeInit) {
    this.store = store
    this.log = log
    this.init = init
  }

  start (): void {
    this.timer = setInterval(() => { void this.run() }, Math.min(this.init.gracePeriod, 3_600_000))
    this.timer.unref()
  }

  async stop (): Promise<void> {
    clearInterval(this.timer)
    this.timer = undefined
    await this.running
  }

  /** Purges now (one run at a time); never rejects. */
  async run (): Promise<void> {
    if (this.running !== undefined) {
      return this.running
    }
    const grace = BigInt(this.init.gracePeriod)
    this.running = (async () => {
      const now = BigInt(Date.now())
      const purged = await this.store.purge(record =>
        (record.tombstone && record.updatedAt + grace <= now) ||
        (record.expiresAt !== 0n && record.expiresAt + grace <= now))
      for (const record of purged) {
        this.init.onPurged?.(record)
      }
      if (purged.length > 0) this.log('purged %d tombstones and expired records', purged.length)
    })().catch(err => { this.log.error('purging failed - %e', err) }).finally(() => { this.running = undefined })
    return this.running
  }
}
