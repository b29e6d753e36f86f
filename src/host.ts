/**
 * The libp2p host under a product node: TCP, Noise, Yamux, identify, ping and
 * the standard Kademlia DHT, configured on purpose for loopback and LANs.
 */
import { setMaxListeners } from 'node:events'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { MessageType, kadDHT, passthroughMapper, removePrivateAddressesMapper, removePublicAddressesMapper } from '@libp2p/kad-dht'
import { logger } from '@libp2p/logger'
import { ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { multiaddr } from '@multiformats/multiaddr'
import { ipnsSelector } from 'ipns/selector'
import { ipnsValidator } from 'ipns/validator'
import { createLibp2p } from 'libp2p'
import type { Identify } from '@libp2p/identify'
import type { KadDHT, KadDHTInit } from '@libp2p/kad-dht'
import type { AbortOptions, Libp2p, PeerId, PeerInfo, PrivateKey } from '@libp2p/interface'
import type { Ping } from '@libp2p/ping'
import type { Datastore } from 'interface-datastore'
import type { CID } from 'multiformats/cid'

const log = logger('product-dht:host')

/** The DHT protocol product nodes speak unless told otherwise: a product-dht overlay of its own. */
export const DEFAULT_DHT_PROTOCOL = '/product-dht/kad/1.0.0'

/** The protocol of the public IPFS DHT (Amino), for nodes that join it. */
export const PUBLIC_DHT_PROTOCOL = '/ipfs/kad/1.0.0'

/**
 * Which peer addresses the DHT keeps: `all` (loopback, LAN and public: the
 * default, right for tests and private networks), `public` (only public
 * addresses: right on the public internet) or `private` (only private ones: a LAN).
 */
export type AddressFilter = 'all' | 'public' | 'private'

// a type, not an interface: libp2p's ServiceMap needs an index signature
export type HostServices = {
  identify: Identify
  ping: Ping
  dht: KadDHT
}

export type ProductHost = Libp2p<HostServices>

export interface HostInit {
  privateKey: PrivateKey
  datastore: Datastore
  listen: string[]
  announce: string[]
  dhtProtocol: string
  clientMode: boolean
  addressFilter: AddressFilter
  /** further kad-dht settings (validators and selectors for other record namespaces, …) */
  dht?: Omit<KadDHTInit, 'protocol' | 'clientMode' | 'peerInfoMapper'>
}

const MAPPERS = {
  all: passthroughMapper,
  public: removePrivateAddressesMapper,
  private: removePublicAddressesMapper
}

export async function createHost (init: HostInit): Promise<ProductHost> {
  return createLibp2p({
    privateKey: init.privateKey,
    datastore: init.datastore,
    addresses: { listen: init.listen, announce: init.announce },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionManager: {
      // a bootstrap node takes many joins at once, and on loopback they all
      // come from one host: libp2p's default (5 a second) would refuse them
      inboundConnectionThreshold: 100,
      maxIncomingPendingConnections: 64
    },
    services: {
      identify: identify(),
      ping: ping(),
      dht: kadDHT({
        ...init.dht,
        // kad-dht knows /pk records only; a DHT peer on a shared network (the
        // public one included) is expected to hold and serve /ipns records too
        validators: { ipns: ipnsValidator, ...init.dht?.validators },
        selectors: { ipns: ipnsSelector, ...init.dht?.selectors },
        protocol: init.dhtProtocol,
        // kad-dht turns itself into a client on private addresses unless told
        clientMode: init.clientMode,
        // its default drops private addresses, which empties every routing table on a LAN
        peerInfoMapper: MAPPERS[init.addressFilter],
        // every query waits for kad-dht's first self-query, by default run 1 s
        // after start; run it at once (it waits for a first peer by itself)
        initialQuerySelfInterval: 0
      })
    }
  })
}

/**
 * Dials the bootstrap peers in turn, waits until the DHT has one in its
 * routing table, then looks up this node's own id so the routing table and
 * the record-peer view fill before the first put or get.
 */
export async function joinNetwork (host: ProductHost, bootstrap: string[], options: AbortOptions = {}): Promise<number> {
  if (options.signal != null) {
    // one signal bounds every dial and query of the join: many listeners are expected
    setMaxListeners(Infinity, options.signal)
  }
  let reached = 0
  for (const address of bootstrap) {
    try {
      await host.dial(multiaddr(address), options)
      reached++
    } catch (err) {
      options.signal?.throwIfAborted()
      log.error('could not reach bootstrap peer %s - %e', address, err)
    }
  }
  if (reached === 0) {
    return 0
  }
  await waitForRoutingTable(host, options)
  if (routingTableSize(host) === 0) {
    // e.g. addressFilter 'public' on loopback or a LAN: the DHT keeps no peer
    // without an address it accepts, and a lookup would wait for one in vain
    log.error('the DHT kept none of the bootstrap peers (does addressFilter drop their addresses?)')
    return reached
  }
  await selfLookup(host, host.peerId, options)
  await waitForIdentify(host, options)
  return reached
}

/**
 * Waits (at most 2 s) until every connected peer has been identified, so
 * that the protocols of the peers the lookup met are known before the first
 * put picks its replicas.
 */
async function waitForIdentify (host: ProductHost, options: AbortOptions): Promise<void> {
  const deadline = Date.now() + 2_000
  while (Date.now() < deadline) {
    options.signal?.throwIfAborted()
    const pending = await Promise.all(host.getConnections().map(async connection => {
      const peer = await host.peerStore.get(connection.remotePeer, options).catch(() => undefined)
      return peer === undefined || peer.protocols.length === 0
    }))
    if (!pending.includes(true)) {
      return
    }
    await new Promise(resolve => setTimeout(resolve, 10))
  }
}

/** Peers in the DHT's routing table (kad-dht has it on its implementation, not its interface). */
function routingTableSize (host: ProductHost): number {
  const dht = host.services.dht as KadDHT & { routingTable?: { size: number } }
  return dht.routingTable?.size ?? 1
}

async function waitForRoutingTable (host: ProductHost, options: AbortOptions): Promise<void> {
  // identify runs after the dial; the DHT adds the peer once it has (bounded by the caller's signal)
  for (let i = 0; i < 500 && routingTableSize(host) === 0; i++) {
    options.signal?.throwIfAborted()
    await new Promise(resolve => setTimeout(resolve, 10))
  }
}

/** A lookup of `peer`'s own id: fills routing tables, connects the closest peers. */
export async function selfLookup (host: ProductHost, peer: PeerId, options: AbortOptions): Promise<void> {
  for await (const event of host.services.dht.getClosestPeers(peer.toMultihash().bytes, options)) {
    void event
  }
}

/** A DHT lookup of the peers closest to `key`. */
export async function findClosestPeers (host: ProductHost, key: Uint8Array, options: AbortOptions): Promise<PeerId[]> {
  if (routingTableSize(host) === 0) {
    // nobody to ask: kad-dht would wait until the signal aborts
    return []
  }
  const peers = new Map<string, PeerId>()
  for await (const event of host.services.dht.getClosestPeers(key, options)) {
    if (event.name === 'FINAL_PEER') {
      peers.set(event.peer.id.toString(), event.peer.id)
    }
  }
  return [...peers.values()]
}

/** Announces this node as a provider of `cid`; resolves to how many peers took the record. */
export async function provideCid (host: ProductHost, cid: CID, options: AbortOptions): Promise<number> {
  if (routingTableSize(host) === 0) {
    return 0
  }
  let told = 0
  for await (const event of host.services.dht.provide(cid, options)) {
    if (event.name === 'PEER_RESPONSE' && event.messageType === MessageType.ADD_PROVIDER) {
      told++
    }
  }
  return told
}

/** Providers of `cid` (at most kad-dht's k), from this node's provider store and a DHT query. */
export async function * findProviderPeers (host: ProductHost, cid: CID, options: AbortOptions): AsyncGenerator<PeerInfo> {
  if (routingTableSize(host) === 0) {
    return
  }
  for await (const event of host.services.dht.findProviders(cid, options)) {
    if (event.name === 'PROVIDER') {
      yield * event.providers
    }
  }
}
