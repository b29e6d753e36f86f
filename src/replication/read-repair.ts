/**
 * Read repair: once every reply to a read is in, the newest record is
 * written back to the replicas of the key's replica set that answered with
 * an older record or none. It runs after the reader has its answer; stop()
 * aborts what is in flight and waits for it.
 */
import { setMaxListeners } from 'node:events'
import { Response } from '../model/messages.js'
import { storeRequest } from '../protocol/requests.js'
import { describeResponse } from '../protocol/responses.js'
import type { ReplicaQuery, Answer } from './query.js'
import type { WireRecord } from '../model/record.js'

export class ReadRepair {
  private readonly query: ReplicaQuery
  private readonly running = new Set<Promise<void>>()
  private shutdown = new AbortController()
  /** replicas a repair brought up to date (they answered OK) */
  repaired = 0

  constructor (query: ReplicaQuery) {
    this.query = query
  }

  start (): void {
    this.shutdown = new AbortController()
    // every repair listens on this one signal
    setMaxListeners(Infinity, this.shutdown.signal)
  }

  /** Aborts repairs in flight and waits for them to end. */
  async stop (): Promise<void> {
    this.shutdown.abort()
    await Promise.allSettled([...this.running])
  }

  /** Repairs the replicas that answered with something older than `newest`, in the background. */
  schedule (newest: Promise<{ newest?: WireRecord, answered: Answer[] } | undefined>): void {
    const task = (async () => {
      const outcome = await newest
      if (outcome?.newest !== undefined) {
        await this.repair(outcome.newest, outcome.answered)
      }
    })().catch(err => { this.query.log('read repair failed - %s', (err as Error).message) })
    this.running.add(task)
    void task.finally(() => this.running.delete(task))
  }

  private async repair (newest: WireRecord, answered: Answer[]): Promise<void> {
    const replicaSet = new Set(this.query.replicaSet(newest.key).map(p => p.toString()))
    const stale = answered.filter(({ peer, response }) =>
      replicaSet.has(peer.toString()) &&
      // a different record of the same version is left alone: which of the two
      // reached W replicas is not known here, and the next version replaces both
      (response.record == null || response.record.version < newest.version))
    const request = storeRequest(newest)
    await Promise.allSettled(stale.map(async ({ peer }) => {
      const response = await this.query.send(peer, request, { signal: this.shutdown.signal })
      if (response.status === Response.Status.OK) this.repaired++
      this.query.log('read repair of %p: %s', peer, describeResponse(response))
    }))
  }
}
