/**
 * When this node last ran, kept in its datastore and refreshed every minute
 * while it runs, so that a restart can tell how long the node was away: one
 * away longer than the tombstone grace period holds its records back (see
 * RecordStore).
 */
import { Key } from 'interface-datastore'
import { fromString as uint8ArrayFromString } from 'uint8arrays/from-string'
import { toString as uint8ArrayToString } from 'uint8arrays/to-string'
import type { AbortOptions, Logger } from '@libp2p/interface'
import type { Datastore } from 'interface-datastore'

const KEY = new Key('/last-running')
/** ms between refreshes: how much of an absence a crash can hide. */
const REFRESH_INTERVAL = 60_000

export class LastRunning {
  private readonly datastore: Datastore
  private readonly log: Logger
  private timer?: ReturnType<typeof setInterval>
  private writing: Promise<void> = Promise.resolve()

  constructor (datastore: Datastore, log: Logger) {
    this.datastore = datastore
    this.log = log
  }

  /** When the node last ran (ms since the epoch), or undefined for a first start. */
  async read (options?: AbortOptions): Promise<number | undefined> {
    try {
      const value = Number(uint8ArrayToString(await this.datastore.get(KEY, options)))
      return Number.isSafeInteger(value) ? value : undefined
    } catch (err) {
      if ((err as Error).name !== 'NotFoundError') this.log.error('reading when the node last ran failed - %e', err)
      return undefined
    }
  }

  /** Marks now, and again every minute until stop(). */
  async start (options?: AbortOptions): Promise<void> {
    await this.mark(options)
    this.timer = setInterval(() => { this.writing = this.mark() }, REFRESH_INTERVAL)
    this.timer.unref()
  }

  async stop (): Promise<void> {
    clearInterval(this.timer)
    this.timer = undefined
    await this.writing
    await this.mark()
  }

  private async mark (options?: AbortOptions): Promise<void> {
    try {
      await this.datastore.put(KEY, uint8ArrayFromString(String(Date.now())), options)
    } catch (err) {
      this.log.error('marking the node as running failed - %e', err)
    }
  }
}
