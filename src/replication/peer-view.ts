/**
 * This node's view of the peers that speak the record protocol, and the
 * replica ranking computed from it.
 *
 * The view is filled from the peer store at start, from identify (every
 * connection, including those kad-dht lookups open) and from the closer-peer
 * hints replicas send back. Ranking a key against it costs no network round
 * trip, which is what keeps puts and gets at one round trip.
 */
import { peerIdFromMultihash } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import * as Digest from 'multiformats/hashes/digest'
import { compareDistance, keyPosition, peerPosition } from '../model/keys.js'
import type { PeerHint } from '../model/messages.js'
import type { AbortOptions, ComponentLogger, IdentifyResult, Libp2pEvents, Logger, PeerId, PeerStore, TypedEventTarget } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

export interface PeerViewComponents {
  peerId: PeerId
  peerStore: PeerStore
  events: TypedEventTarget<Libp2pEvents>
  logger: ComponentLogger
}

export interface PeerViewInit {
  /** protocol whose speakers are record peers */
  protocol: string
  /** true when this node holds replicas itself (server mode) */
  selfIsReplica: boolean
  /** ms a peer that failed a request is ranked after the others (default 30000) */
  downPenalty?: number
  /** called after the view's membership changed (a record peer joined or left) */
  onChange?(): void
}

interface ViewEntry {
  id: PeerId
  position: Uint8Array
  /** the position's first four bytes, as a number: most comparisons end there */
  prefix: number
  /** when it joined the view, counted in additions (see additionCount) */
  added: number
  /** until when (ms since epoch) the peer counts as unreachable */
  downUntil: number
  /** requests that failed in a row */
  failures: number
}

/** Failed requests in a row after which a peer has departed (identify brings it back if it returns). */
const MAX_FAILURES = 3

/** Addresses taken from one hint, at most: a peer names a handful, not hundreds. */
const MAX_HINT_ADDRESSES = 8

/** Peers a joining node is told of at most (neighbourhoodFor). */
const MAX_NEIGHBOURHOOD = 64

/** The first four bytes of a keyspace position, big-endian, as an unsigned number. */
function prefixOf (position: Uint8Array): number {
  return ((position[0] << 24) | (position[1] << 16) | (position[2] << 8) | position[3]) >>> 0
}

/** The ranking's order for a key at `target`: peers reachable at `now` first, then nearer before farther. */
function rankOrder (target: Uint8Array, now: number): (a: ViewEntry, b: ViewEntry) => number {
  const targetPrefix = prefixOf(target)
  return (a, b) => {
    const aUp = a.downUntil <= now
    const bUp = b.downUntil <= now
    if (aUp !== bUp) {
      return aUp ? -1 : 1
    }
    // XOR distance of the first four bytes; only a tie there reads the rest
    const da = (a.prefix ^ targetPrefix) >>> 0
    const db = (b.prefix ^ targetPrefix) >>> 0
    return da !== db ? (da < db ? -1 : 1) : compareDistance(target, a.position, b.position)
  }
}

function entryOf (id: PeerId, added: number): ViewEntry {
  const position = peerPosition(id)
  return { id, position, prefix: prefixOf(position), added, downUntil: 0, failures: 0 }
}

export class RecordPeerView {
  private readonly components: PeerViewComponents
  private readonly protocol: string
  private readonly selfIsReplica: boolean
  private readonly downPenalty: number
  private readonly entries = new Map<string, ViewEntry>()
  /**
   * Peers that left (requests failed, or a redial after a disconnect did):
   * a hint naming one is a rumour, not proof of life, and does not bring it
   * back; identify on a new connection does.
   */
  private readonly departed = new Map<string, PeerId>()
  private readonly self: ViewEntry
  private readonly log: Logger
  private readonly onChange: () => void
  private changes = 0
  private additions = 0
  private changedAt = 0
  private readonly onIdentify = (event: CustomEvent<IdentifyResult>): void => {
    const { peerId, protocols } = event.detail
    if (protocols.includes(this.protocol)) {
      this.returned(peerId)
    } else {
      this.remove(peerId)
    }
  }

  constructor (components: PeerViewComponents, init: PeerViewInit) {
    this.components = components
    this.protocol = init.protocol
    this.selfIsReplica = init.selfIsReplica
    this.downPenalty = init.downPenalty ?? 30_000
    this.onChange = init.onChange ?? (() => {})
    this.self = entryOf(components.peerId, 0)
    this.log = components.logger.forComponent('product-dht:peer-view')
  }

  async start (): Promise<void> {
    this.components.events.addEventListener('peer:identify', this.onIdentify)
    await this.refresh()
  }

  /** Adds every peer the peer store knows to speak the record protocol. */
  async refresh (): Promise<void> {
    const known = await this.components.peerStore.all({
      filters: [peer => peer.protocols.includes(this.protocol)]
    })
    for (const peer of known) {
      this.add(peer.id)
    }
  }

  stop (): void {
    this.components.events.removeEventListener('peer:identify', this.onIdentify)
    this.entries.clear()
    this.departed.clear()
  }

  /** Counts changes of membership and reachability: equal counts, same ranking (down penalties aside that expire). */
  get epoch (): number {
    return this.changes
  }

  /** When (ms since the epoch) the membership last changed; 0 if never. */
  get lastChange (): number {
    return this.changedAt
  }

  /** Membership changed (`reachability` false) or only a peer's reachability, which reorders rankings but moves no responsibility for long. */
  private changed (reachability = false): void {
    this.changes++
    if (!reachability) {
      this.changedAt = Date.now()
      this.onChange()
    }
  }

  /** Number of remote record peers known. */
  get size (): number {
    return this.entries.size
  }

  /** Number of peers a ranking holds: the remote record peers, and this node when it holds replicas. */
  get candidateCount (): number {
    return this.entries.size + (this.selfIsReplica ? 1 : 0)
  }

  /** The remote record peers known, in no particular order. */
  peers (): PeerId[] {
    return [...this.entries.values()].map(e => e.id)
  }

  has (peer: PeerId): boolean {
    return this.entries.has(peer.toString())
  }

  /** Peers added to the view so far (a mark for addedSince). */
  get additionCount (): number {
    return this.additions
  }

  /** True when `peer` is in the view and joined it after `mark` (an additionCount). */
  addedSince (peer: PeerId, mark: number): boolean {
    return (this.entries.get(peer.toString())?.added ?? 0) > mark
  }

  add (peer: PeerId): void {
    if (peer.equals(this.components.peerId) || this.entries.has(peer.toString())) {
      return
    }
    this.entries.set(peer.toString(), entryOf(peer, ++this.additions))
    this.log('record peer %p joined the view (%d known)', peer, this.entries.size)
    this.changed()
  }

  remove (peer: PeerId): void {
    if (this.entries.delete(peer.toString())) {
      this.log('record peer %p left the view', peer)
      this.changed()
    }
  }

  /** `peer` has left the network: out of the view, and hints do not bring it back until it connects again. */
  markDeparted (peer: PeerId): void {
    this.departed.set(peer.toString(), peer)
    this.remove(peer)
  }

  /** `peer`, departed, answered again: back in the view, and hints may name it again. */
  returned (peer: PeerId): void {
    this.departed.delete(peer.toString())
    this.add(peer)
  }

  isDeparted (peer: PeerId): boolean {
    return this.departed.has(peer.toString())
  }

  /** The peers that departed and have not connected since. */
  departedPeers (): PeerId[] {
    return [...this.departed.values()]
  }

  /**
   * `peer` just failed a request: rank it after the reachable ones for a
   * while; after MAX_FAILURES failures in a row it has departed.
   */
  markDown (peer: PeerId): void {
    const entry = this.entries.get(peer.toString())
    if (entry === undefined) {
      return
    }
    entry.failures++
    const wasUp = entry.downUntil <= Date.now()
    entry.downUntil = Date.now() + this.downPenalty
    if (entry.failures >= MAX_FAILURES) {
      this.markDeparted(peer)
    } else if (wasUp) {
      this.changed(true)
    }
  }

  markUp (peer: PeerId): void {
    const entry = this.entries.get(peer.toString())
    if (entry !== undefined) {
      const wasDown = entry.downUntil > Date.now()
      entry.downUntil = 0
      entry.failures = 0
      if (wasDown) this.changed(true)
    }
  }

  /**
   * The `count` record peers closest to `key`, this node included when it
   * holds replicas, reachable ones first: the first `count` of rank(), found
   * without sorting the whole view (maintenance asks this of every record).
   */
  closest (key: Uint8Array, count: number, options: { ignoreDown?: boolean } = {}): PeerId[] {
    // ignoreDown: the key's true replica set, reachable or not
    const order = rankOrder(keyPosition(key), options.ignoreDown === true ? -Infinity : Date.now())
    const before = (a: ViewEntry, b: ViewEntry): boolean => order(a, b) < 0
    const best: ViewEntry[] = []
    const consider = (entry: ViewEntry): void => {
      if (best.length === count && !before(entry, best[count - 1])) return
      let at = best.length === count ? count - 1 : best.length
      while (at > 0 && before(entry, best[at - 1])) {
        best[at] = best[at - 1]
        at--
      }
      best[at] = entry
    }
    if (count <= 0) return []
    for (const entry of this.entries.values()) consider(entry)
    if (this.selfIsReplica) consider(this.self)
    return best.map(e => e.id)
  }

  /**
   * Record peers by XOR distance to `key`, closest first, this node included
   * when it holds replicas. Peers that failed recently come after all others.
   */
  rank (key: Uint8Array): PeerId[] {
    const order = rankOrder(keyPosition(key), Date.now())
    const candidates = [...this.entries.values()]
    if (this.selfIsReplica) {
      candidates.push(this.self)
    }
    return candidates.sort(order).map(e => e.id)
  }

  /**
   * The hints to send `requester` for `key`: the `count` record peers this
   * node ranks first, with their addresses, when this node is not among them
   * (the requester asked the wrong peer) or when it `asked`; otherwise none.
   * Neither node is named.
   */
  async hintsFor (key: Uint8Array, count: number, requester: PeerId, asked: boolean, options?: AbortOptions): Promise<PeerHint[]> {
    // every request a replica answers asks this: the first `count` without sorting the view
    const ranked = this.closest(key, count)
    if (!asked && ranked.some(id => id.equals(this.components.peerId))) {
      return []
    }
    return this.withAddresses(ranked.filter(peer => !peer.equals(requester) && !peer.equals(this.components.peerId)), options)
  }

  /**
   * What a joining node at `key` (its peer id's multihash) needs to know:
   * the 2·`count` record peers nearest to it and, with `spread`, as many
   * from each part of the keyspace (by the length of the prefix they share
   * with it, as Kademlia's buckets) as fit in MAX_NEIGHBOURHOOD, the same
   * number from each part and at least `count` (a view that small is named
   * whole). With its nearest peers known it can tell which keys it is a
   * replica of; with `count` peers or more in each part it ranks them
   * before itself for keys elsewhere, and asks them instead of taking those
   * keys for its own. Neither node is named.
   */
  async neighbourhoodFor (key: Uint8Array, count: number, requester: PeerId, spread: boolean, options?: AbortOptions): Promise<PeerHint[]> {
    const nearest = 2 * count
    const others = (peer: PeerId): boolean => !peer.equals(requester) && !peer.equals(this.components.peerId)
    if (!spread) {
      // this node and the requester may rank among them: two more, then without them
      return this.withAddresses(this.closest(key, nearest + 2, { ignoreDown: true }).filter(others).slice(0, nearest), options)
    }
    const target = keyPosition(key)
    const targetPrefix = prefixOf(target)
    const ranked = [...this.entries.values()]
      .filter(entry => others(entry.id))
      .sort(rankOrder(target, -Infinity))
    // each peer's place among the peers of its part, nearest first (past 32
    // shared bits every peer is among the nearest anyway), and how many
    // peers past the nearest hold each place: what one more per part costs
    const perPart = new Map<number, number>()
    const placeInPart = ranked.map(entry => {
      const part = Math.clz32((entry.prefix ^ targetPrefix) >>> 0)
      const place = perPart.get(part) ?? 0
      perPart.set(part, place + 1)
      return place
    })
    const atPlace: number[] = []
    placeInPart.forEach((place, i) => { if (i >= nearest) atPlace[place] = (atPlace[place] ?? 0) + 1 })
    // the largest quota (at least `count`) whose answer fits
    let size = placeInPart.filter((place, i) => i < nearest || place < count).length
    let quota = count
    while (quota < atPlace.length && size + (atPlace[quota] ?? 0) <= MAX_NEIGHBOURHOOD) {
      size += atPlace[quota] ?? 0
      quota++
    }
    const chosen = ranked.filter((_, i) => i < nearest || placeInPart[i] < quota).map(entry => entry.id)
    return this.withAddresses(chosen.slice(0, MAX_NEIGHBOURHOOD), options)
  }

  /** Hints naming `peers` with the addresses the peer store holds (peers it forgot are left out). */
  private async withAddresses (peers: PeerId[], options?: AbortOptions): Promise<PeerHint[]> {
    const hints: PeerHint[] = []
    for (const peer of peers) {
      try {
        // local reads and writes of the peer store take no signal: one caller's signal
        // would collect a listener for each, and they do not wait on the network
        options?.signal?.throwIfAborted()
        const stored = await this.components.peerStore.get(peer)
        hints.push({ id: peer.toMultihash().bytes, addrs: stored.addresses.map(a => a.multiaddr.bytes) })
      } catch {
        // forgotten by the peer store since: nothing to hint
      }
    }
    return hints
  }

  /**
   * Adds a record peer that a reply or a provider record named, keeping its
   * addresses (and that it speaks the record protocol) in the peer store.
   */
  async addWithAddresses (peer: PeerId, addrs: Multiaddr[], options?: AbortOptions): Promise<void> {
    if (peer.equals(this.components.peerId) || this.has(peer) || this.isDeparted(peer)) {
      return
    }
    options?.signal?.throwIfAborted()
    await this.components.peerStore.merge(peer, { multiaddrs: addrs, protocols: [this.protocol] })
    this.add(peer)
  }

  /** Adds the record peers that `hints` name (at most `limit` of them); malformed hints are skipped. */
  async addFromHints (hints: PeerHint[], limit: number, options?: AbortOptions): Promise<void> {
    for (const hint of hints.slice(0, limit)) {
      let peer: PeerId
      try {
        peer = peerIdFromMultihash(Digest.decode(hint.id))
      } catch {
        continue
      }
      const addrs: Multiaddr[] = []
      for (const bytes of hint.addrs.slice(0, MAX_HINT_ADDRESSES)) {
        try { addrs.push(multiaddr(bytes)) } catch {}
      }
      options?.signal?.throwIfAborted()
      await this.addWithAddresses(peer, addrs, options)
    }
  }
}
