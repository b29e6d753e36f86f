/**
 * The libp2p host that createProductNode builds: TCP, Noise, Yamux, identify,
 * ping, the standard Kademlia DHT and the product store service, configured
 * on purpose for loopback and LANs.
 */
import { noise } from '@libp2p/noise'
import { yamux } from '@libp2p/yamux'
import { identify } from '@libp2p/identify'
import { kadDHT, passthroughMapper, removePrivateAddressesMapper, removePublicAddressesMapper } from '@libp2p/kad-dht'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { ipnsSelector } from 'ipns/selector'
import { ipnsValidator } from 'ipns/validator'
import { createLibp2p } from 'libp2p'
import { nodeLogger } from './logging.js'
import { noiseCrypto } from './noise-crypto.js'
import { productStore } from './service.js'
import type { ProductStoreInit, ResolvedNodeOptions } from './options.js'
import type { ProductStore } from './service.js'
import type { Identify } from '@libp2p/identify'
import type { KadDHTComponents, KadDHTInit, SingleKadDHT } from '@libp2p/kad-dht'
import type { Libp2p, PrivateKey } from '@libp2p/interface'
import type { Ping } from '@libp2p/ping'
import type { Datastore } from 'interface-datastore'
import type { Libp2pInit } from 'libp2p'

// a type, not an interface: libp2p's ServiceMap needs an index signature
export type HostServices = {
  identify: Identify
  ping: Ping
  /** kad-dht's own type for a DHT with one routing table (what `kadDHT()` builds) */
  dht: SingleKadDHT
  products: ProductStore
}

export type ProductHost = Libp2p<HostServices>

export interface HostInit {
  privateKey: PrivateKey
  datastore: Datastore
  options: ResolvedNodeOptions
  /** further kad-dht settings (validators and selectors for other record namespaces, …) */
  dht?: Omit<KadDHTInit, 'protocol' | 'clientMode' | 'peerInfoMapper'>
  /** the product store service's own options, as given (publisherKey, publishers, …) */
  products: ProductStoreInit
  /** libp2p's metrics implementation (default none) */
  metrics?: Libp2pInit['metrics']
}

/** ms after start before kad-dht's first lookup of the node's own id (see createHost). */
const FIRST_SELF_LOOKUP_DELAY = 2_000

const MAPPERS = {
  all: passthroughMapper,
  public: removePrivateAddressesMapper,
  private: removePublicAddressesMapper
}

/** kadDHT(), typed as what it builds: a single DHT with a routing table. */
function singleKadDHT (init: KadDHTInit): (components: KadDHTComponents) => SingleKadDHT {
  // kadDHT() is declared to return the KadDHT interface; the object it builds is kad-dht's SingleKadDHT
  return kadDHT(init) as (components: KadDHTComponents) => SingleKadDHT
}

/** Builds the host, not started. */
export async function createHost (init: HostInit): Promise<ProductHost> {
  const { options } = init
  return createLibp2p({
    start: false,
    privateKey: init.privateKey,
    datastore: init.datastore,
    metrics: init.metrics,
    // every log line names the node that wrote it (many nodes share one
    // process in tests), and namespaces DEBUG leaves off cost next to nothing
    logger: nodeLogger(peerIdFromPrivateKey(init.privateKey)),
    addresses: { listen: options.listen, announce: options.announce },
    transports: [tcp()],
    // a faster X25519 than noise's default, same algorithm and wire format (noise-crypto.ts)
    connectionEncrypters: [noise({ crypto: noiseCrypto() })],
    streamMuxers: [yamux()],
    // libp2p pings every connection every 10 s by default, each ping a stream
    // of its own: with a connection to most of a network that is most of an
    // idle node's work, and in a crowded process it starves the joins
    connectionMonitor: { pingInterval: options.pingInterval },
    connectionManager: {
      // a bootstrap node takes many joins at once, and on loopback they all
      // come from one host: libp2p's default (5 a second) would refuse them
      inboundConnectionThreshold: 100,
      maxIncomingPendingConnections: 64
    },
    services: {
      identify: identify(),
      ping: ping(),
      dht: singleKadDHT({
        // kad-dht's first lookup of the node's own id, 2 s after start (its
        // default is 1 s; the `dht` option may set it): the join does not
        // wait for it, since a bootstrap record peer names the peers a node
        // needs (node.ts). Nodes joining one peer at once then finish their
        // joins before their lookups start: 50 in one process were all ready
        // in 1.2 s with 2 s, and in 2.0 s with 1 s (BENCHMARKS.md)
        initialQuerySelfInterval: FIRST_SELF_LOOKUP_DELAY,
        ...init.dht,
        // kad-dht knows /pk records only; a DHT peer on a shared network (the
        // public one included) is expected to hold and serve /ipns records too
        validators: { ipns: ipnsValidator, ...init.dht?.validators },
        selectors: { ipns: ipnsSelector, ...init.dht?.selectors },
        protocol: options.dhtProtocol,
        // kad-dht turns itself into a client on private addresses unless told
        clientMode: options.clientMode,
        // its default drops private addresses, which empties every routing table on a LAN
        peerInfoMapper: MAPPERS[options.addressFilter]
      }),
      products: productStore(init.products)
    }
  })
}
