/**
 * The record peers a node remembers across restarts: a short list of peer
 * ids with their addresses, saved in the node's datastore while it runs, that
 * it joins through when no bootstrap peer is given or none answers (Kubo keeps
 * "backup bootstrap peers" the same way). libp2p's peer store is no substitute:
 * it forgets addresses after an hour and peers after six, and a node may be
 * off for a day.
 *
 * Half the list is this node's neighbours in the keyspace (the peers it syncs
 * records with: the ones to catch up from), half is drawn at random from the
 * rest of its view, so that a neighbourhood that left together does not leave
 * the node with nobody to call.
 */
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { Key } from 'interface-datastore'
import { fromString as uint8ArrayFromString } from 'uint8arrays/from-string'
import { toString as uint8ArrayToString } from 'uint8arrays/to-string'
import type { AbortOptions, ComponentLogger, Logger, PeerId, PeerStore } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { Datastore } from 'interface-datastore'

/** Where the list lives in the service's part of the datastore. */
const LIST_KEY = new Key('/remembered-peers')

/** Peers remembered, at most. */
const LIMIT = 16
/** Addresses kept per peer, at most. */
const MAX_ADDRESSES = 8
/** ms after start of the first save (once joining filled the view), and between saves. */
const FIRST_SAVE = 5_000
const SAVE_INTERVAL = 60_000
/** The multicodec of `/p2p/`: saved addresses leave it out, and get it back with the peer id on load. */
const CODE_P2P = 421

export interface RememberedPeersComponents {
  peerId: PeerId
  peerStore: PeerStore
  /** this service's part of the node's datastore */
  datastore: Datastore
  /** the record peers this node knows now */
  view: {
    closest(key: Uint8Array, count: number): PeerId[]
    peers(): PeerId[]
  }
  logger: ComponentLogger
}

interface SavedList {
  savedAt: number
  peers: Array<{ id: string, addrs: string[] }>
}

export class RememberedPeers {
  private readonly components: RememberedPeersComponents
  private readonly log: Logger
  private timer?: ReturnType<typeof setTimeout>
  private saving: Promise<void> = Promise.resolve()
  private lastSaved = ''
  private running = false

  constructor (components: RememberedPeersComponents) {
    this.components = components
    this.log = components.logger.forComponent('product-dht:remembered-peers')
  }

  start (): void {
    this.running = true
    this.schedule(FIRST_SAVE)
  }

  /** Saves the list one last time; a node stopped cleanly remembers whom it knew at the end. */
  async stop (): Promise<void> {
    this.running = false
    clearTimeout(this.timer)
    await this.saving
    await this.save().catch(err => { this.log.error('saving the remembered peers failed - %e', err) })
  }

  /**
   * The addresses, each ending in `/p2p/<peer id>`, of the record peers this
   * node saved while it last ran; none when it never saved any or the list
   * cannot be read (a damaged list costs the rejoin, never the start).
   */
  async load (options?: AbortOptions): Promise<Multiaddr[]> {
    let text: string
    try {
      text = uint8ArrayToString(await this.components.datastore.get(LIST_KEY, options))
    } catch (err) {
      options?.signal?.throwIfAborted()
      if ((err as Error).name !== 'NotFoundError') this.log.error('reading the remembered peers failed - %e', err)
      return []
    }
    const addresses: Multiaddr[] = []
    try {
      const list = JSON.parse(text) as SavedList
      for (const peer of list.peers) {
        const id = peerIdFromString(peer.id)
        if (id.equals(this.components.peerId)) continue
        for (const addr of peer.addrs.slice(0, MAX_ADDRESSES)) {
          addresses.push(multiaddr(addr).encapsulate(`/p2p/${id.toString()}`))
        }
      }
    } catch (err) {
      this.log.error('the remembered peers cannot be read; ignoring them - %e', err)
      return []
    }
    return addresses
  }

  private schedule (delay: number): void {
    if (!this.running) return
    this.timer = setTimeout(() => {
      this.saving = this.save()
        .catch(err => { this.log.error('saving the remembered peers failed - %e', err) })
        .finally(() => { this.schedule(SAVE_INTERVAL) })
    }, delay)
  }

  /** Writes the list when it changed; an empty view leaves the last list as it was (the peers may come back). */
  private async save (): Promise<void> {
    const chosen = this.choose()
    const peers: SavedList['peers'] = []
    for (const peer of chosen) {
      const stored = await this.components.peerStore.get(peer).catch(() => undefined)
      const addrs = (stored?.addresses ?? [])
        .map(a => a.multiaddr.decapsulateCode(CODE_P2P).toString())
        .slice(0, MAX_ADDRESSES)
      if (addrs.length > 0) peers.push({ id: peer.toString(), addrs })
    }
    if (peers.length === 0) return
    const fingerprint = JSON.stringify(peers)
    if (fingerprint === this.lastSaved) return
    const list: SavedList = { savedAt: Date.now(), peers }
    await this.components.datastore.put(LIST_KEY, uint8ArrayFromString(JSON.stringify(list)))
    this.lastSaved = fingerprint
    this.log('remembered %d record peers', peers.length)
  }

  /** The neighbours of this node in the keyspace, then others at random, LIMIT in all. */
  private choose (): PeerId[] {
    const { view, peerId } = this.components
    const neighbours = view.closest(peerId.toMultihash().bytes, LIMIT / 2 + 1).filter(p => !p.equals(peerId)).slice(0, LIMIT / 2)
    const taken = new Set(neighbours.map(String))
    const others = view.peers().filter(p => !taken.has(p.toString()))
    // a partial Fisher–Yates shuffle: only the first few are needed
    for (let i = 0; i < Math.min(others.length, LIMIT - neighbours.length); i++) {
      const j = i + Math.floor(Math.random() * (others.length - i))
      ;[others[i], others[j]] = [others[j], others[i]]
    }
    return [...neighbours, ...others.slice(0, LIMIT - neighbours.length)]
  }
}
