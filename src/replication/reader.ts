/**
 * Quorum reads: ask R replicas of the replica set (the next one too when one
 * of them is slow, fails, or the answers do not settle it), return once R
 * answered, choose the newest valid record, and tell "not found" (replicas
 * answered, none holds it) from "not reached" (fewer than R answered:
 * QuorumError).
 */
import { QuorumError } from '../errors.js'
import { Request, Response } from '../model/messages.js'
import { compareRecords } from '../model/record.js'
import { describeResponse } from '../protocol/responses.js'
import type { KnownVersions } from './known-versions.js'
import type { ReadRepair } from './read-repair.js'
import type { Answer, QueryOptions, ReplicaQuery, Round } from './query.js'
import type { RecordCheck } from './record-check.js'
import type { ReplicaFailure } from '../errors.js'
import type { ReadFanout } from '../types.js'
import type { KeyBytes } from '../model/keys.js'
import type { WireRecord } from '../model/record.js'

export interface ReadOutcome {
  /** newest valid record among the answers (may be a tombstone or expired) */
  newest?: WireRecord
  /** replicas that answered (found or not found) */
  answered: number
  /** how many of those held exactly `newest` */
  agreed: number
  failed: ReplicaFailure[]
}

interface Summary {
  newest?: WireRecord
  answered: Answer[]
  agreed: number
  failed: ReplicaFailure[]
  /** the answers hold different records of the highest version */
  split: boolean
}

export interface ReaderInit {
  readQuorum: number
  replicationFactor: number
  /** default 'quorum' */
  readFanout?: ReadFanout
  /**
   * ms a read waits for its first R replicas before it asks one more
   * (default: the 99th percentile of this node's recent round trips to
   * replicas, see HEDGE_*)
   */
  readHedgeDelay?: number
}

/** Round trips needed before their 99th percentile sets the hedge delay. */
const HEDGE_MIN_SAMPLES = 20
/** The hedge delay until then. */
const HEDGE_DEFAULT_DELAY = 50
/** The hedge delay is never shorter: a percentile of a quiet loopback can be a fraction of a ms. */
const HEDGE_MIN_DELAY = 1

export interface ReaderComponents {
  query: ReplicaQuery
  check: RecordCheck
  repair: ReadRepair
  versions: KnownVersions
  /**
   * whether the view changed since maintenance last caught up: records may
   * still sit on peers just outside the replica set (default: never)
   */
  unsettled?(): boolean
}

export class Reader {
  private readonly components: ReaderComponents
  private readonly readQuorum: number
  private readonly r: number
  private readonly width: number
  private readonly hedgeDelay?: number

  constructor (components: ReaderComponents, init: ReaderInit) {
    this.components = components
    this.readQuorum = init.readQuorum
    this.r = init.replicationFactor
    this.width = init.readFanout === 'all' ? this.r : this.readQuorum
    this.hedgeDelay = init.readHedgeDelay
  }

  /**
   * Asks the replica set for `key` and returns once R replicas answered and
   * one of them holds a record (or, when none of the R does, once every
   * replica has answered). Requests still out go on, and read repair runs
   * once they have ended. Rejects with QuorumError when fewer than R
   * replicas answered.
   */
  async read (key: KeyBytes, options: QueryOptions = {}): Promise<ReadOutcome> {
    const { query, repair, versions } = this.components
    const request: Request = { type: Request.Type.GET, key, wantPeers: false, ranges: [] }
    const asking = query.ask(request, this.readQuorum, options, { width: this.width, hedgeAfter: this.currentHedgeDelay() })
    await asking.quorum
    let summary = this.summarize(key, [...asking.round.answers], [...asking.round.failed])
    let everything = asking.done
    if (summary.newest === undefined || summary.split) {
      // "not found" is rare and the costlier mistake (a product that was
      // written before this node joined, say): hear every replica first.
      // So is a split: replicas holding different records of one version
      // (a compare-and-set that lost leaves its record on fewer than W)
      everything = this.askTheRest(request, asking.done, options)
      const round = await everything
      summary = this.summarize(key, [...round.answers], [...round.failed])
    }
    if (summary.newest === undefined) {
      // a replica that failed a request lately is ranked after the others and
      // was not asked: "not found" must not rest on that mark alone (a peer
      // overloaded for a moment holds what it held)
      everything = this.askMarkedDown(key, request, await everything, options)
      const round = await everything
      summary = this.summarize(key, [...round.answers], [...round.failed])
    }
    if (summary.newest === undefined && summary.answered.length >= this.readQuorum && this.components.unsettled?.() === true) {
      // "not found" means no live holder answered: while peers came and went
      // and maintenance has not caught up, the holders may be the next r out
      everything = this.askFurther(request, await everything, options)
      const round = await everything
      summary = this.summarize(key, [...round.answers], [...round.failed])
    }
    repair.schedule(everything.then(round => this.summarize(key, round.answers, round.failed)))
    if (summary.answered.length < this.readQuorum) {
      throw new QuorumError('get', this.readQuorum, summary.answered.length, summary.failed)
    }
    if (summary.newest !== undefined) {
      versions.remember(key, summary.newest.version)
    }
    return { newest: summary.newest, answered: summary.answered.length, agreed: summary.agreed, failed: summary.failed }
  }

  /** Once `first` ended, asks the replicas of the set it did not hear from; resolves to both rounds' answers. */
  private async askTheRest (request: Request, first: Promise<Round>, options: QueryOptions): Promise<Round> {
    const heard = await first
    if (this.width >= this.r) {
      return heard
    }
    return this.components.query.ask(request, this.readQuorum, options, { after: heard }).done
  }

  /** Asks the key's r closest peers that `heard` skipped because they were marked down; resolves to both rounds' answers. */
  private async askMarkedDown (key: KeyBytes, request: Request, heard: Round, options: QueryOptions): Promise<Round> {
    const { query } = this.components
    const skipped = query.closestReplicas(key).filter(peer => !heard.asked.has(peer.toString()))
    return skipped.length === 0 ? heard : query.askOnly(request, skipped, heard, options)
  }

  /** The wait before a read asks one more replica than R. */
  private currentHedgeDelay (): number {
    if (this.hedgeDelay !== undefined) {
      return this.hedgeDelay
    }
    const latencies = this.components.query.readLatencies
    const p99 = latencies.size < HEDGE_MIN_SAMPLES ? undefined : latencies.percentile(99)
    return Math.max(HEDGE_MIN_DELAY, p99 ?? HEDGE_DEFAULT_DELAY)
  }

  /** Asks the r peers after the replica set too; resolves to both rounds' answers (the repair then writes to the replica set). */
  private async askFurther (request: Request, first: Round, options: QueryOptions): Promise<Round> {
    return this.components.query.ask(request, 1, { ...options, beyond: this.r }, { after: first }).done
  }

  /**
   * The newest valid record among GET answers, who answered, and how many
   * agree on it. The highest version wins; among different records of that
   * version, the one more replicas hold (a write that reached W of them),
   * then the deterministic order of compareRecords.
   */
  private summarize (key: KeyBytes, answers: Answer[], failures: ReplicaFailure[]): Summary {
    const { check } = this.components
    const answered: Answer[] = []
    const failed = [...failures]
    const records: WireRecord[] = []
    for (const answer of answers) {
      const { peer, response } = answer
      if (response.status === Response.Status.NOT_FOUND) {
        answered.push(answer)
      } else if (response.status === Response.Status.OK && response.record != null && check.isValid(response.record, key, peer)) {
        answered.push(answer)
        records.push(response.record)
      } else {
        failed.push({ peer, reason: describeResponse(response), status: response.status })
      }
    }
    const copies = (record: WireRecord): number => records.filter(r => compareRecords(r, record) === 0).length
    let newest: WireRecord | undefined
    let split = false
    for (const record of records) {
      if (newest === undefined || record.version > newest.version) {
        newest = record
        split = false
        continue
      }
      if (record.version < newest.version || compareRecords(record, newest) === 0) {
        continue
      }
      split = true
      const order = copies(record) - copies(newest)
      if (order > 0 || (order === 0 && compareRecords(record, newest) > 0)) {
        newest = record
      }
    }
    const agreed = newest === undefined ? answered.length : copies(newest)
    return { newest, answered, agreed, failed, split }
  }
}
