/**
 * The part of libp2p's peer store a RecordPeerView uses, over a simulated
 * node's known peers: `all` lists them as record-protocol speakers (what
 * identify wrote there), `get` answers for any peer with no addresses (a
 * hint names a peer, not how to dial it, in a network without sockets), and
 * `merge` accepts a hinted peer (the view adds it, and writes that back).
 */
import type { Peer, PeerId, PeerQuery, PeerStore } from '@libp2p/interface'

/** Nobody writes to these: one empty map serves every simulated peer record. */
const NOTHING = new Map<never, never>()

export function knownPeerStore (known: () => Iterable<PeerId>, protocol: string): PeerStore {
  const protocols = [protocol]
  const asPeer = (id: PeerId): Peer => ({ id, addresses: [], protocols, metadata: NOTHING, tags: NOTHING })
  const store: Pick<PeerStore, 'all' | 'get' | 'merge'> = {
    all: async (query?: PeerQuery) => {
      const filters = query?.filters ?? []
      return [...known()].map(asPeer).filter(peer => filters.every(filter => filter(peer)))
    },
    get: async (id: PeerId) => asPeer(id),
    merge: async (id: PeerId) => asPeer(id)
  }
  // the view calls nothing else of the peer store
  return store as PeerStore
}
