/**
 * Joining the keyspace: a lookup of this node's own position among record
 * peers, through the record protocol's PEERS request.
 *
 * The record peers this node is connected to (the bootstrap peers it just
 * joined through) name the record peers they know nearest to it and a few
 * from each part of the keyspace: with those in its view the node ranks
 * every key's replicas as the network does. Then, unless told not to dial,
 * it asks its nearest, and the nearest of what they name, until the r
 * nearest known have all been asked; asking opens a connection, so they
 * learn of this node (identify adds it to their views) while it learns of
 * any nearer peer they know.
 */
import '../polyfill.js'
import { Request, Response } from '../model/messages.js'
import { describeResponse } from '../protocol/responses.js'
import type { SendOptions } from '../protocol/client.js'
import type { RecordPeerView } from '../replication/peer-view.js'
import type { AbortOptions, ComponentLogger, Logger, PeerId } from '@libp2p/interface'

export interface NeighbourhoodComponents {
  peerId: PeerId
  view: RecordPeerView
  /** the peers this node has a connection to now */
  connectedPeers(): PeerId[]
  /** sends one request to one peer (the record client), `pool: false`: one that is not repeated soon */
  send(peer: PeerId, request: Request, options?: SendOptions): Promise<Response>
  logger: ComponentLogger
}

export interface NeighbourhoodInit {
  /** r: the peers asked in each round */
  replicationFactor: number
  /** rounds at most (default 4), the first included: each asks only peers nearer than those asked before */
  maxRounds?: number
}

export interface NeighbourhoodOptions extends AbortOptions {
  /**
   * false: ask only record peers this node is connected to, and dial none
   * (default true: ask the nearest too, until they were all asked)
   */
  dial?: boolean
}

export interface NeighbourhoodResult {
  /** peers asked */
  asked: number
  /** peers that named their peers */
  answered: number
  /** record peers this node knows after it */
  known: number
}

const DEFAULT_MAX_ROUNDS = 4

/** ms between the catch-ups of a node still joining (see catchUp). */
const CATCH_UP_INTERVAL = 500
/** ms one catch-up may take. */
const CATCH_UP_TIMEOUT = 5_000
/** ms after its first ask that a node stops catching up, if its own lookup never ended. */
const JOINING_AT_MOST = 60_000

/** Peers taken from one answer, at most (an answer names up to 64). */
const MAX_NAMED = 64

export class NeighbourhoodLookup {
  private readonly components: NeighbourhoodComponents
  private readonly r: number
  private readonly maxRounds: number
  private readonly log: Logger
  /** when this node asked the peers it joined through without dialling its nearest since (0: not joining) */
  private joiningSince = 0
  private lastCatchUp = 0
  private catchingUp?: Promise<unknown>

  constructor (components: NeighbourhoodComponents, init: NeighbourhoodInit) {
    this.components = components
    this.r = init.replicationFactor
    this.maxRounds = init.maxRounds ?? DEFAULT_MAX_ROUNDS
    this.log = components.logger.forComponent('product-dht:neighbourhood')
  }

  /**
   * Asks up to r connected record peers (the nearest to this node, or the
   * nearest known when it is connected to none) for the peers of this
   * node's neighbourhood and of every part of the keyspace; then, unless
   * `dial` is false, the r nearest known not asked yet, round after round.
   * Peers that fail are ranked down and skipped; peers too old to answer
   * PEERS are asked no more. Rejects only when `signal` aborts.
   */
  async run (options: NeighbourhoodOptions = {}): Promise<NeighbourhoodResult> {
    if (options.dial === false) {
      this.joiningSince ||= Date.now()
      this.lastCatchUp = Date.now()
    }
    try {
      return await this.lookUp(options)
    } finally {
      // its nearest know it now, and it has met theirs: its view is its own
      if (options.dial !== false) this.joiningSince = 0
    }
  }

  /** True while this node is still joining (see catchUp). */
  get joining (): boolean {
    if (this.joiningSince !== 0 && Date.now() - this.joiningSince > JOINING_AT_MOST) {
      this.joiningSince = 0
    }
    return this.joiningSince !== 0
  }

  /**
   * Before a put or get of a node still joining: it asked the peers it
   * joined through which peers to know, but has not yet met its nearest
   * (run without dialling, and no run that dials has ended). Peers that
   * joined after it asked are in their views and not in its own, and the
   * peers it knows may not know them either, so a request would miss them.
   * So it asks those peers again first: when `force`d (before a write, and
   * before a read that found nothing is tried again), or when the last time
   * was CATCH_UP_INTERVAL ms ago; one request for every caller at a time.
   * Never rejects but for `signal`.
   */
  async catchUp (options: AbortOptions = {}, force = false): Promise<void> {
    if (!this.joining) {
      return
    }
    if (this.catchingUp === undefined && (force || Date.now() - this.lastCatchUp >= CATCH_UP_INTERVAL)) {
      this.catchingUp = this.run({ dial: false, signal: AbortSignal.timeout(CATCH_UP_TIMEOUT) })
        .catch(err => { this.log('catching up failed - %s', (err as Error).message) })
        .finally(() => { this.catchingUp = undefined })
    }
    if (this.catchingUp !== undefined) {
      await settledOrAborted(this.catchingUp, options.signal)
    }
  }

  private async lookUp (options: NeighbourhoodOptions): Promise<NeighbourhoodResult> {
    const { peerId, view } = this.components
    const key = peerId.toMultihash().bytes
    const asked = new Set<string>()
    let answered = 0
    const connected = new Set(this.components.connectedPeers().map(String))
    const first = view.rank(key).filter(peer => connected.has(peer.toString()) && !peer.equals(peerId)).slice(0, this.r)
    const rounds = options.dial === false ? 1 : this.maxRounds
    for (let round = 0; round < rounds; round++) {
      const fresh = round === 0 && first.length > 0
        ? first
        : this.nearest(key, this.r).filter(peer => !asked.has(peer.toString()))
      if (fresh.length === 0) {
        break
      }
      // the first peers asked name some from every part of the keyspace;
      // the rounds after them need only the nearest they know
      const request: Request = { type: Request.Type.PEERS, key, wantPeers: round === 0, ranges: [] }
      await Promise.all(fresh.map(async peer => {
        asked.add(peer.toString())
        if (await this.ask(peer, request, options)) answered++
      }))
    }
    this.log('asked %d record peers near this node, %d named theirs; %d known', asked.size, answered, view.size)
    return { asked: asked.size, answered, known: view.size }
  }

  /** The `count` record peers nearest to this node, reachable ones first (not this node itself). */
  private nearest (key: Uint8Array, count: number): PeerId[] {
    const { peerId, view } = this.components
    // this node is at distance 0 from its own position: rank one more and leave it out
    return view.closest(key, count + 1).filter(peer => !peer.equals(peerId)).slice(0, count)
  }

  /** Asks one peer and takes in the peers it names; false when it could not or would not. */
  private async ask (peer: PeerId, request: Request, options: AbortOptions): Promise<boolean> {
    const { view, send } = this.components
    let response: Response
    try {
      // asked once per join: the stream would sit idle at the peer until its idle timeout
      response = await send(peer, request, { signal: options.signal, pool: false })
    } catch (err) {
      options.signal?.throwIfAborted()
      view.markDown(peer)
      this.log('could not ask %p for its peers - %s', peer, (err as Error).message)
      return false
    }
    view.markUp(peer)
    if (response.status !== Response.Status.OK) {
      // a node of an older version refuses the request: it is there, it just cannot tell
      this.log('%p named no peers - %s', peer, describeResponse(response))
      return false
    }
    await view.addFromHints(response.closer, MAX_NAMED, options)
    return true
  }
}

/** Waits for `promise` (which never rejects), or rejects once `signal` aborts. */
async function settledOrAborted (promise: Promise<unknown>, signal?: AbortSignal): Promise<void> {
  if (signal == null) {
    await promise
    return
  }
  signal.throwIfAborted()
  const aborted = Promise.withResolvers<never>()
  const onAbort = (): void => { aborted.reject(signal.reason) }
  signal.addEventListener('abort', onAbort, { once: true })
  try {
    await Promise.race([promise, aborted.promise])
  } finally {
    signal.removeEventListener('abort', onAbort)
  }
}
