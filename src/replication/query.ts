/**
 * The replica query engine: asks the replica set of a key.
 *
 * The replica set of a key is the r record peers closest to it. Requests go
 * to the first r of the ranking in parallel (a read may ask fewer first, and
 * more when they are slow); a replica that fails is replaced by the next one
 * in the ranking, so a request still reaches r live peers while a few are
 * down. Replies can name closer record peers this node did not know; the next
 * round asks those too. Only when the view is too thin does a request pay for
 * a DHT lookup.
 */
import '../polyfill.js'
import { CustomProgressEvent } from 'progress-events'
import { keyToString } from '../model/keys.js'
import { Request, Response } from '../model/messages.js'
import { RecentLatencies } from './latencies.js'
import type { RecordCheck } from './record-check.js'
import type { RecordPeerView } from './peer-view.js'
import type { ReplicaFailure } from '../errors.js'
import type { ReplicaProgressEvents } from '../types.js'
import type { AbortOptions, ComponentLogger, Logger, PeerId } from '@libp2p/interface'
import type { ProgressOptions } from 'progress-events'

/** Sends one request to one peer and returns its response (the record client, or a fake in tests). */
export interface RequestSender {
  send(peer: PeerId, request: Request, options?: AbortOptions): Promise<Response>
}

/** Answers a request here, without a stream (this node's request handlers). */
export interface LocalReplica {
  handle(request: Request, from: PeerId, options?: AbortOptions): Promise<Response>
}

export interface ReplicaQueryComponents {
  peerId: PeerId
  view: RecordPeerView
  client: RequestSender
  /** this node's own handlers, when it holds replicas */
  local?: LocalReplica
  /** peers that may be close to `key`, for when the view is too thin (a DHT lookup, the catalog's providers) */
  findCandidates(key: Uint8Array, options?: AbortOptions): Promise<PeerId[]>
  check: RecordCheck
  logger: ComponentLogger
}

export interface ReplicaQueryInit {
  /** r: replicas per key */
  replicationFactor: number
  /**
   * rounds a request may take to follow closer-peer hints (default 8). A
   * request ends sooner once the r peers it ranks first were all asked, as a
   * Kademlia lookup ends when a round finds nobody closer: this only bounds
   * it. The simulator found 3 too few at 100 000 peers (14 % of lookups cut
   * short) and 5 enough (BENCHMARKS.md).
   */
  maxRounds?: number
}

export interface QueryOptions extends AbortOptions, ProgressOptions<ReplicaProgressEvents> {
  /** skip the first `beyond` peers of the ranking: ask the next r instead of the replica set */
  beyond?: number
}

/** How many replicas a query asks at once, and when it asks more. */
export interface AskInit {
  /**
   * replicas asked at once (default r, at most r): the query ends once this
   * many of the r it ranks first took part. A replica that fails, or answers
   * with a record that fails its checks, is replaced by the next peer.
   */
  width?: number
  /**
   * with a width below r: ms after which, while fewer than `enough` replicas
   * took part, one more peer of the ranking is asked (again after as long,
   * until r were asked at once). Default: never.
   */
  hedgeAfter?: number
  /** a round already asked: its answers count and its peers are not asked again */
  after?: Round
}

/** The longest delay setTimeout keeps (2^31 - 1 ms). */
export const MAX_TIMER_DELAY = 2_147_483_647

/** Rounds of hints a request follows at most (see ReplicaQueryInit.maxRounds). */
const DEFAULT_MAX_ROUNDS = 8

/** One replica's reply to a request. */
export interface Answer {
  peer: PeerId
  response: Response
}

/** What asking a set of replicas produced so far. */
export interface Round {
  answers: Answer[]
  failed: ReplicaFailure[]
  asked: Set<string>
}

/** A query in flight: `round` fills as replies come in. */
export interface RunningQuery {
  round: Round
  /** resolves once `enough` replicas took part, or when all requests ended */
  quorum: Promise<void>
  /** resolves when every request has ended */
  done: Promise<Round>
}

export class ReplicaQuery {
  private readonly components: ReplicaQueryComponents
  private readonly r: number
  private readonly maxRounds: number
  readonly log: Logger
  /** round trips of GETs to other peers that answered */
  readonly readLatencies = new RecentLatencies()
  /** requests sent because the replicas asked first were slow (hedges) */
  hedged = 0

  constructor (components: ReplicaQueryComponents, init: ReplicaQueryInit) {
    this.components = components
    this.r = init.replicationFactor
    this.maxRounds = init.maxRounds ?? DEFAULT_MAX_ROUNDS
    this.log = components.logger.forComponent('product-dht:replication')
  }

  /** The replica set this node computes for `key` now (unreachable peers replaced by the next closest). */
  replicaSet (key: Uint8Array): PeerId[] {
    return this.components.view.closest(key, this.r)
  }

  /** The r closest record peers to `key` this node knows, reachable or not. */
  closestReplicas (key: Uint8Array): PeerId[] {
    return this.components.view.closest(key, this.r, { ignoreDown: true })
  }

  /**
   * A reply that counts towards a quorum: the replica took part (stored,
   * held a valid record, did not hold one, or refused with a reason). A
   * replica that answers with a record that fails its checks counts as
   * unreachable: the next peer is asked in its place.
   */
  isUseful ({ peer, response }: Answer, key: Uint8Array): boolean {
    if (response.status === Response.Status.OK) {
      return response.record == null || this.components.check.isValid(response.record, key, peer)
    }
    return response.status === Response.Status.NOT_FOUND ||
      response.status === Response.Status.STALE ||
      response.status === Response.Status.FORBIDDEN
  }

  countUseful (round: Round, key: Uint8Array): number {
    return round.answers.filter(answer => this.isUseful(answer, key)).length
  }

  /**
   * Asks the replica set of `request.key`, following closer-peer hints for a
   * few rounds, until `init.width` (default r) replicas of the r it ranks
   * first took part or no candidate is left.
   */
  ask (request: Request, enough: number, options: QueryOptions = {}, init: AskInit = {}): RunningQuery {
    const round: Round = {
      answers: [...(init.after?.answers ?? [])],
      failed: [...(init.after?.failed ?? [])],
      asked: new Set(init.after?.asked)
    }
    let width = Math.min(init.width ?? this.r, this.r)
    const quorum = Promise.withResolvers<void>()
    let reached = false
    const onAnswer = (): void => {
      if (!reached && this.countUseful(round, request.key) >= enough) {
        reached = true
        quorum.resolve()
      }
    }
    const hedge = new Hedge(init.hedgeAfter, this.r - width, () => reached, () => { this.hedged++ })
    const done = (async () => {
      const beyond = options.beyond ?? 0
      let ranking = (await this.candidates(request.key, beyond, options)).slice(beyond)
      if (this.components.view.candidateCount < this.r) {
        // this node knows too few record peers: ask the replicas to name theirs
        request = { ...request, wantPeers: true }
      }
      onAnswer()
      hedge.arm()
      let top = ranking.slice(0, this.r)
      let wanted = this.stillWanted(top, round, width, request.key)
      for (let i = 0; i < this.maxRounds && wanted > 0; i++) {
        const fresh = ranking.filter(p => !round.asked.has(p.toString()))
        if (fresh.length === 0) {
          break
        }
        const learned = this.components.view.additionCount
        await this.askInParallel(request, fresh, wanted, round, onAnswer, options, hedge)
        // replies may have named record peers we did not know, and identify may
        // have told of others meanwhile: ask those that now rank among the first r
        // (the first r alone tell whether any is left to ask; the whole view is
        // sorted again only when one is)
        const before = new Set(top.map(p => p.toString()))
        top = this.components.view.closest(request.key, beyond + this.r).slice(beyond)
        // the replies named closer peers this node did not know: this is a
        // lookup now, and a lookup asks r at once (fewer replies would name
        // fewer closer peers: more rounds). A peer that moved up because
        // another failed is no such sign.
        if (top.some(p => !before.has(p.toString()) && this.components.view.addedSince(p, learned))) {
          width = this.r
        }
        wanted = this.stillWanted(top, round, width, request.key)
        if (wanted > 0) {
          ranking = this.components.view.rank(request.key).slice(beyond)
        }
      }
      if (this.countUseful(round, request.key) < enough) {
        this.log('%s of %s reached %d of %d replicas', request.type, keyToString(request.key), this.countUseful(round, request.key), enough)
      }
      return round
    })()
    done.then(() => { quorum.resolve() }, err => { quorum.reject(err) }).finally(() => { hedge.cancel() })
    // a caller may wait on `done` alone: a rejected quorum must not count as unhandled
    quorum.promise.catch(() => {})
    return { round, quorum: quorum.promise, done }
  }

  /**
   * How many more of `top` (the r peers ranked first now) to ask: enough to
   * bring those of them that took part up to `width`, among those not asked yet.
   */
  private stillWanted (top: PeerId[], round: Round, width: number, key: Uint8Array): number {
    const inTop = new Set(top.map(p => p.toString()))
    const unasked = top.filter(p => !round.asked.has(p.toString())).length
    const tookPart = round.answers.filter(answer => inTop.has(answer.peer.toString()) && this.isUseful(answer, key)).length
    return Math.min(unasked, Math.max(0, width - tookPart))
  }

  /**
   * Asks exactly `peers` at once: no stand-ins for those that fail, no
   * hints followed. Resolves to `after`'s answers and theirs.
   */
  async askOnly (request: Request, peers: PeerId[], after: Round, options: QueryOptions = {}): Promise<Round> {
    const round: Round = { answers: [...after.answers], failed: [...after.failed], asked: new Set(after.asked) }
    await this.askInParallel(request, peers, peers.length, round, () => {}, options, new Hedge(undefined, 0, () => true, () => {}))
    return round
  }

  /** Sends `request` to `peer`: over the wire, or to this node's own handlers when it is the peer. */
  async send (peer: PeerId, request: Request, options: AbortOptions = {}): Promise<Response> {
    if (peer.equals(this.components.peerId)) {
      const local = this.components.local
      if (local === undefined) {
        throw new Error('this node holds no replicas')
      }
      return local.handle(request, peer, options)
    }
    return this.components.client.send(peer, request, options)
  }

  /**
   * The ranking to ask for `key`: the first `beyond` + r of the view and as
   * many again to stand in for those that fail (a round that runs out of
   * them ends, and the next one ranks the whole view), or, when the view is
   * too thin, the view and what a lookup found.
   */
  private async candidates (key: Uint8Array, beyond: number, options: QueryOptions): Promise<PeerId[]> {
    // the first few found without sorting the whole view: most requests need no more
    const ranked = this.components.view.closest(key, beyond + 2 * this.r)
    if (ranked.length >= this.r) {
      return ranked
    }
    options.onProgress?.(new CustomProgressEvent('product-dht:lookup', { key: keyToString(key) }))
    try {
      const found = await this.components.findCandidates(key, options)
      // the lookup may have taught the view more record peers: rank again
      const reranked = this.components.view.rank(key)
      const known = new Set(reranked.map(p => p.toString()))
      // peers from the lookup may not speak the record protocol: asking tells
      return [...reranked, ...found.filter(p => !known.has(p.toString()) && !p.equals(this.components.peerId))]
    } catch (err) {
      options.signal?.throwIfAborted()
      this.log('lookup for a thin view failed - %s', (err as Error).message)
      return ranked
    }
  }

  /**
   * Asks `wanted` peers of `ranking` at once, replacing each that fails with
   * the next, and one more each time `hedge` fires. Resolves when every
   * request ended.
   */
  private async askInParallel (request: Request, ranking: PeerId[], wanted: number, total: Round, onAnswer: () => void, options: QueryOptions, hedge: Hedge): Promise<void> {
    // the key as text only for progress events, when someone listens
    const key = options.onProgress === undefined ? '' : keyToString(request.key)
    const timed = request.type === Request.Type.GET
    let next = 0
    const worker = async (): Promise<void> => {
      while (next < ranking.length) {
        options.signal?.throwIfAborted()
        const peer = ranking[next++]
        total.asked.add(peer.toString())
        options.onProgress?.(new CustomProgressEvent('product-dht:replica:request', { key, peer }))
        try {
          const sent = timed ? performance.now() : 0
          const response = await this.send(peer, request, options)
          if (timed && !peer.equals(this.components.peerId)) {
            this.readLatencies.record(performance.now() - sent)
          }
          this.components.view.markUp(peer)
          const answer = { peer, response }
          total.answers.push(answer)
          options.onProgress?.(new CustomProgressEvent('product-dht:replica:answer', { key, peer, status: String(response.status) }))
          onAnswer()
          await this.components.view.addFromHints(response.closer, this.r, options)
          if (this.isUseful(answer, request.key)) {
            return
          }
        } catch (err) {
          options.signal?.throwIfAborted()
          this.components.view.markDown(peer)
          const reason = (err as Error).message
          total.failed.push({ peer, reason })
          options.onProgress?.(new CustomProgressEvent('product-dht:replica:failed', { key, peer, reason }))
        }
      }
    }
    const workers: Array<Promise<void>> = []
    const spawn = (): boolean => {
      if (next >= ranking.length) {
        return false
      }
      const running = worker()
      // awaited below; a worker the hedge added after another failed must not go unhandled
      running.catch(() => {})
      workers.push(running)
      return true
    }
    for (let i = 0; i < Math.min(wanted, ranking.length); i++) {
      spawn()
    }
    hedge.attach(spawn)
    try {
      // the hedge may add workers while these run
      for (let waited = 0; waited < workers.length;) {
        const batch = workers.slice(waited)
        waited = workers.length
        await Promise.all(batch)
      }
    } finally {
      hedge.detach()
    }
  }
}

/**
 * Asks one more replica each time `delay` ms pass before a query has enough
 * answers, at most `extra` times: a read asks R replicas first and the next
 * ones only when those are slow.
 */
class Hedge {
  private readonly delay?: number
  private extra: number
  private readonly satisfied: () => boolean
  private readonly onHedge: () => void
  private timer?: ReturnType<typeof setTimeout>
  private spawn?: () => boolean

  constructor (delay: number | undefined, extra: number, satisfied: () => boolean, onHedge: () => void) {
    this.delay = delay
    // past setTimeout's range a delay would fire at once: read it as "never"
    this.extra = delay === undefined || !(delay <= MAX_TIMER_DELAY) ? 0 : extra
    this.satisfied = satisfied
    this.onHedge = onHedge
  }

  /** Starts the clock (again). */
  arm (): void {
    if (this.extra <= 0 || this.satisfied()) {
      return
    }
    this.timer = setTimeout(() => {
      this.timer = undefined
      if (this.satisfied()) {
        return
      }
      if (this.spawn?.() === true) {
        this.extra--
        this.onHedge()
      }
      this.arm()
    }, this.delay)
  }

  /** Where a fired hedge adds its request: the round running now. */
  attach (spawn: () => boolean): void {
    this.spawn = spawn
  }

  detach (): void {
    this.spawn = undefined
  }

  cancel (): void {
    clearTimeout(this.timer)
    this.timer = undefined
    this.extra = 0
  }
}
