/**
 * Quorum writes and reads over the replica set of a key, with read repair.
 *
 * The replica set of a key is the r record peers closest to it. Requests go
 * to the first r of the ranking in parallel; a replica that fails is replaced
 * by the next one in the ranking, so a write still lands on r live peers
 * while a few are down. Replies can name closer record peers this node did
 * not know; the next round asks those too. Only when the view is too thin
 * does a request pay for a DHT lookup.
 */
import { setMaxListeners } from 'node:events'
import { logger } from '@libp2p/logger'
import { peerIdFromMultihash } from '@libp2p/peer-id'
import * as Digest from 'multiformats/hashes/digest'
import { multiaddr } from '@multiformats/multiaddr'
import { Request, Response } from '../model/messages.js'
import { compareRecords, validateRecord } from '../model/record.js'
import { PublisherPolicy } from '../model/publishers.js'
import type { ReplicaFailure } from '../errors.js'
import type { KeyBytes } from '../model/keys.js'
import type { PeerHint } from '../model/messages.js'
import type { WireRecord } from '../model/record.js'
import type { RecordClient } from '../protocol/client.js'
import type { RecordServer } from '../protocol/server.js'
import type { RecordPeerView } from './peer-view.js'
import type { AbortOptions, PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

const log = logger('product-dht:replicator')

export interface ReplicatorInit {
  replicationFactor: number
  readQuorum: number
  /** rounds a request may take to follow closer-peer hints (default 3) */
  maxRounds?: number
  /** who may publish: records a closed catalog refuses are ignored by reads (default: open) */
  policy?: PublisherPolicy
}

export interface ReplicatorComponents {
  peerId: PeerId
  view: RecordPeerView
  client: RecordClient
  /** this node's own server, when it holds replicas */
  localServer?: RecordServer
  /** a DHT lookup of the peers closest to a key, for when the view is too thin */
  findClosestPeers(key: Uint8Array, options?: AbortOptions): Promise<PeerId[]>
  /** stores the addresses of a peer learned from a hint */
  learnAddresses(peer: PeerId, addrs: Multiaddr[]): Promise<void>
}

/** One replica's reply to a request. */
interface Answer {
  peer: PeerId
  response: Response
}

/** What asking a set of replicas produced. */
interface Round {
  answers: Answer[]
  failed: ReplicaFailure[]
  asked: Set<string>
}

export interface WriteOutcome {
  acked: PeerId[]
  failed: ReplicaFailure[]
  /** the newest record a replica reported instead of accepting ours */
  newer?: WireRecord
  /** a replica refused the publisher: why, and the record it holds if it said */
  forbidden?: { reason: string, held?: WireRecord }
}

export interface ReadOutcome {
  /** newest valid record among the answers (may be a tombstone) */
  newest?: WireRecord
  answered: number
  agreed: number
  failed: ReplicaFailure[]
}

export class Replicator {
  private readonly components: ReplicatorComponents
  private readonly r: number
  private readonly rq: number
  private readonly maxRounds: number
  private readonly policy: PublisherPolicy
  private readonly checked = new WeakMap<WireRecord, boolean>()
  private readonly background = new Set<Promise<void>>()
  private readonly shutdown = new AbortController()

  constructor (components: ReplicatorComponents, init: ReplicatorInit) {
    this.components = components
    this.r = init.replicationFactor
    this.rq = init.readQuorum
    this.maxRounds = init.maxRounds ?? 3
    this.policy = init.policy ?? new PublisherPolicy()
    // every read repair listens on this one signal
    setMaxListeners(Infinity, this.shutdown.signal)
  }

  /** Aborts read repairs in flight and waits for them to end. */
  async stop (): Promise<void> {
    this.shutdown.abort()
    await Promise.allSettled([...this.background])
  }

  /** The replica set this node currently computes for `key` (unreachable peers replaced by the next closest). */
  replicaSet (key: Uint8Array): PeerId[] {
    return this.components.view.rank(key).slice(0, this.r)
  }

  /** The r closest record peers to `key` this node knows, reachable or not. */
  closestReplicas (key: Uint8Array): PeerId[] {
    return this.components.view.rank(key, { ignoreDown: true }).slice(0, this.r)
  }

  /**
   * Sends a PUT (or DELETE, for a tombstone) of `record` to the replica set;
   * waits for every replica. With `expectedVersion`, replicas holding a
   * higher version keep theirs (compare-and-set).
   */
  async write (record: WireRecord, options: AbortOptions & { expectedVersion?: bigint } = {}): Promise<WriteOutcome> {
    const request: Request = {
      type: record.tombstone ? Request.Type.DELETE : Request.Type.PUT,
      key: record.key,
      record,
      wantPeers: false,
      expectedVersion: options.expectedVersion
    }
    const round = await this.askReplicaSet(request, this.r, options).done
    const acked: PeerId[] = []
    const failed = [...round.failed]
    let newer: WireRecord | undefined
    let forbidden: WriteOutcome['forbidden']
    for (const { peer, response } of round.answers) {
      if (response.status === Response.Status.OK) {
        acked.push(peer)
        continue
      }
      if (response.status === Response.Status.FORBIDDEN) {
        const held = response.record != null && this.isValid(response.record, record.key, peer) ? response.record : undefined
        forbidden ??= { reason: response.message, held }
      }
      if (response.status === Response.Status.STALE && response.record != null && this.isValid(response.record, record.key, peer)) {
        if (newer === undefined || compareRecords(response.record, newer) > 0) {
          newer = response.record
        }
      }
      failed.push({ peer: peer.toString(), reason: describe(response), status: response.status })
    }
    return { acked, failed, newer, forbidden }
  }

  /**
   * Asks the replica set for `key` and returns once R replicas answered and
   * one of them holds a record (or, when none of the R does, once every
   * replica asked has answered). The other requests go on; when all have
   * ended, replicas that answered with an older record or none get the
   * newest one written back (read repair).
   */
  async read (key: KeyBytes, options: AbortOptions = {}): Promise<ReadOutcome> {
    const request: Request = { type: Request.Type.GET, key, wantPeers: false }
    const asking = this.askReplicaSet(request, this.rq, options)
    await asking.quorum
    let outcome = this.summarize(key, [...asking.round.answers], [...asking.round.failed])
    if (outcome.newest === undefined || outcome.split) {
      // "not found" is rare and the costlier mistake (a product that was
      // written before this node joined, say): hear every replica first.
      // So is a split: replicas holding different records of one version
      // (a compare-and-set that lost leaves its record on fewer than W)
      const round = await asking.done
      outcome = this.summarize(key, [...round.answers], [...round.failed])
    }
    this.inBackground(async () => {
      const round = await asking.done
      const all = this.summarize(key, round.answers, round.failed)
      if (all.newest !== undefined) {
        await this.repair(all.newest, all.answered)
      }
    })
    return { newest: outcome.newest, answered: outcome.answered.length, agreed: outcome.agreed, failed: outcome.failed }
  }

  /**
   * The newest valid record among GET answers, who answered, and how many
   * agree on it. The highest version wins; among different records of that
   * version, the one more replicas hold (a write that reached W of them),
   * then the deterministic order of compareRecords. `split` tells that the
   * answers hold different records of the highest version.
   */
  private summarize (key: KeyBytes, answers: Answer[], failures: ReplicaFailure[]): { newest?: WireRecord, answered: Answer[], agreed: number, failed: ReplicaFailure[], split: boolean } {
    const answered: Answer[] = []
    const failed = [...failures]
    const records: WireRecord[] = []
    for (const answer of answers) {
      const { peer, response } = answer
      if (response.status === Response.Status.NOT_FOUND) {
        answered.push(answer)
      } else if (response.status === Response.Status.OK && response.record != null && this.isValid(response.record, key, peer)) {
        answered.push(answer)
        records.push(response.record)
      } else {
        failed.push({ peer: peer.toString(), reason: describe(response), status: response.status })
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

  /** Runs `task` after the caller has its answer; stop() waits for it. */
  private inBackground (task: () => Promise<void>): void {
    const running: Promise<void> = task().catch(err => { log('background task failed - %e', err) })
    this.background.add(running)
    void running.finally(() => this.background.delete(running))
  }

  /**
   * A reply that counts towards a quorum: the replica took part (stored,
   * held a valid record, or did not hold one). A replica that answers a GET
   * with a record that fails its checks is treated as unreachable: the next
   * peer is asked in its place.
   */
  private isUseful (peer: PeerId, response: Response, key: Uint8Array): boolean {
    if (response.status === Response.Status.OK) {
      return response.record == null || this.isValid(response.record, key, peer)
    }
    return response.status === Response.Status.NOT_FOUND ||
      response.status === Response.Status.STALE ||
      response.status === Response.Status.FORBIDDEN
  }

  private countUseful (round: Round, key: Uint8Array): number {
    return round.answers.filter(a => this.isUseful(a.peer, a.response, key)).length
  }

  /** Checks a record a peer sent: valid, signed, and (in a closed catalog) by a listed publisher. */
  private isValid (record: WireRecord, key: Uint8Array, from: PeerId): boolean {
    // one reply is checked several times (quorum counting, summary): verify its signature once
    const known = this.checked.get(record)
    if (known !== undefined) {
      return known
    }
    const valid = this.check(record, key, from)
    this.checked.set(record, valid)
    return valid
  }

  private check (record: WireRecord, key: Uint8Array, from: PeerId): boolean {
    try {
      validateRecord(record, key)
    } catch (err) {
      log('ignoring an invalid record from %p - %e', from, err)
      return false
    }
    const refusal = this.policy.closed ? this.policy.refusal(record) : undefined
    if (refusal !== undefined) {
      log('ignoring a record from %p - %s', from, refusal)
      return false
    }
    return true
  }

  /** Writes `newest` back to the replicas that answered with an older record or none. */
  private async repair (newest: WireRecord, answered: Answer[]): Promise<void> {
    const replicaSet = new Set(this.replicaSet(newest.key).map(p => p.toString()))
    const stale = answered.filter(({ peer, response }) =>
      replicaSet.has(peer.toString()) &&
      // a different record of the same version is left alone: which of the two
      // reached W replicas is not known here, and the next version replaces both
      (response.record == null || response.record.version < newest.version))
    const request: Request = {
      type: newest.tombstone ? Request.Type.DELETE : Request.Type.PUT,
      key: newest.key,
      record: newest,
      wantPeers: false
    }
    await Promise.allSettled(stale.map(async ({ peer }) => {
      const response = await this.send(peer, request, { signal: this.shutdown.signal })
      log('read repair of %p: %s', peer, describe(response))
    }))
  }

  /**
   * Asks the replica set of `request.key`, following closer-peer hints for a
   * few rounds. `quorum` resolves once `enough` replicas took part (or when
   * all is done); `done` when every request has ended; `round` fills as
   * replies come in.
   */
  private askReplicaSet (request: Request, enough: number, options: AbortOptions): { round: Round, quorum: Promise<void>, done: Promise<Round> } {
    const round: Round = { answers: [], failed: [], asked: new Set() }
    const quorum = Promise.withResolvers<void>()
    const onAnswer = (): void => {
      if (this.countUseful(round, request.key) >= enough) {
        quorum.resolve()
      }
    }
    const done = (async () => {
      let ranking = await this.candidates(request.key, options)
      if (this.components.view.candidateCount < this.r) {
        // this node knows too few record peers: ask the replicas to name theirs
        request = { ...request, wantPeers: true }
      }
      let wanted = this.r
      for (let i = 0; i < this.maxRounds && wanted > 0; i++) {
        const fresh = ranking.filter(p => !round.asked.has(p.toString()))
        if (fresh.length === 0) {
          break
        }
        await this.askInParallel(request, fresh, wanted, round, onAnswer, options)
        // replies may have named record peers we did not know, and identify may
        // have told of others meanwhile: ask those that now rank among the first r
        ranking = this.components.view.rank(request.key)
        wanted = ranking.slice(0, this.r).filter(p => !round.asked.has(p.toString())).length
      }
      if (this.countUseful(round, request.key) < enough) {
        log('%s reached %d of %d replicas', request.type, this.countUseful(round, request.key), enough)
      }
      return round
    })()
    done.then(() => { quorum.resolve() }, err => { quorum.reject(err) })
    // writes wait on `done` alone: a rejected quorum must not count as unhandled
    quorum.promise.catch(() => {})
    return { round, quorum: quorum.promise, done }
  }

  /** The ranking to ask for `key`, from the view, or from a DHT lookup when the view is too thin. */
  private async candidates (key: Uint8Array, options: AbortOptions): Promise<PeerId[]> {
    const ranked = this.components.view.rank(key)
    if (ranked.length >= this.r) {
      return ranked
    }
    try {
      const found = await this.components.findClosestPeers(key, options)
      // the lookup may have taught the view more record peers: rank again
      const reranked = this.components.view.rank(key)
      const known = new Set(reranked.map(p => p.toString()))
      // peers from the lookup may not speak the record protocol: asking tells
      return [...reranked, ...found.filter(p => !known.has(p.toString()))]
    } catch (err) {
      log('DHT lookup for a thin view failed - %e', err)
      return ranked
    }
  }

  /**
   * Asks `wanted` peers of `ranking` at once, replacing each that fails with
   * the next. Resolves when every request ended.
   */
  private async askInParallel (request: Request, ranking: PeerId[], wanted: number, total: Round, onAnswer: () => void, options: AbortOptions): Promise<void> {
    let next = 0
    const worker = async (): Promise<void> => {
      while (next < ranking.length) {
        options.signal?.throwIfAborted()
        const peer = ranking[next++]
        total.asked.add(peer.toString())
        try {
          const response = await this.send(peer, request, options)
          this.components.view.markUp(peer)
          total.answers.push({ peer, response })
          onAnswer()
          await this.learn(response.closer, options)
          if (this.isUseful(peer, response, request.key)) {
            return
          }
        } catch (err) {
          options.signal?.throwIfAborted()
          this.components.view.markDown(peer)
          total.failed.push({ peer: peer.toString(), reason: (err as Error).message })
        }
      }
    }
    await Promise.all(Array.from({ length: Math.min(wanted, ranking.length) }, worker))
  }

  private async send (peer: PeerId, request: Request, options: AbortOptions): Promise<Response> {
    if (peer.equals(this.components.peerId)) {
      const local = this.components.localServer
      if (local === undefined) {
        throw new Error('this node holds no replicas')
      }
      return local.handleRequest(request, peer, options)
    }
    return this.components.client.send(peer, request, options)
  }

  /** Adds hinted record peers to the view. */
  private async learn (hints: PeerHint[], options: AbortOptions): Promise<void> {
    for (const hint of hints.slice(0, this.r)) {
      let peer: PeerId
      try {
        peer = peerIdFromMultihash(Digest.decode(hint.id))
      } catch {
        continue
      }
      if (peer.equals(this.components.peerId) || this.components.view.has(peer)) {
        continue
      }
      const addrs: Multiaddr[] = []
      for (const bytes of hint.addrs.slice(0, 8)) {
        try { addrs.push(multiaddr(bytes)) } catch {}
      }
      options.signal?.throwIfAborted()
      await this.components.learnAddresses(peer, addrs)
      this.components.view.add(peer)
    }
  }
}


function describe (response: Response): string {
  const status = String(response.status)
  return response.message === '' ? status : `${status}: ${response.message}`
}
