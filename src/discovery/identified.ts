/**
 * Waiting for identify: which protocols a connected peer speaks is known
 * only once identify has run on its connection, and both the join (which
 * record peers did the lookup meet?) and discovery (does any connected peer
 * speak a DHT protocol?) must not look before that.
 */
import '../polyfill.js'
import type { AbortOptions, Connection, IdentifyResult, Libp2pEvents, PeerId, PeerStore, TypedEventTarget } from '@libp2p/interface'

/** ms to wait, by default, for the peers connected now to be identified. */
const IDENTIFY_GRACE = 2_000

export interface IdentifyWaitComponents {
  getConnections(peerId?: PeerId): Connection[]
  peerStore: PeerStore
  events: TypedEventTarget<Libp2pEvents>
}

/**
 * Waits (at most `grace` ms, default IDENTIFY_GRACE) until every connected peer has been
 * identified, so that the protocols of the peers the lookup met are known
 * before the first put picks its replicas.
 */
export async function waitForIdentify (components: IdentifyWaitComponents, options: AbortOptions & { grace?: number } = {}): Promise<void> {
  const pending = new Set<string>()
  const identified = new Set<string>()
  let scanned = false
  const { promise, resolve } = Promise.withResolvers<void>()
  // listening before looking: an identify that ends while the peer store is read is not missed
  const onIdentify = (event: CustomEvent<IdentifyResult>): void => {
    const peer = event.detail.peerId.toString()
    identified.add(peer)
    pending.delete(peer)
    if (scanned && pending.size === 0) resolve()
  }
  components.events.addEventListener('peer:identify', onIdentify)
  const timer = setTimeout(resolve, options.grace ?? IDENTIFY_GRACE)
  const onAbort = (): void => { resolve() }
  options.signal?.addEventListener('abort', onAbort, { once: true })
  try {
    // the grace bounds the reads too: they wait on the peer store's locks, which a crowded node holds long
    void Promise.all(components.getConnections().map(async connection => {
      // a local read: no signal (many reads at once on one signal would each add a listener to it)
      const peer = await components.peerStore.get(connection.remotePeer).catch(() => undefined)
      const id = connection.remotePeer.toString()
      if ((peer === undefined || peer.protocols.length === 0) && !identified.has(id)) {
        pending.add(id)
      }
    })).then(() => {
      scanned = true
      if (pending.size === 0) resolve()
    })
    await promise
    options.signal?.throwIfAborted()
  } finally {
    clearTimeout(timer)
    components.events.removeEventListener('peer:identify', onIdentify)
    options.signal?.removeEventListener('abort', onAbort)
  }
}

