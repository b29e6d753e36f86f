/**
 * product-dht in a libp2p node you build yourself: your transports (TCP and
 * WebSockets here), your datastore, your settings, and `productStore()` among
 * the services. It joins two nodes made with createProductNode, puts a product
 * they read, reads one they put, and shows the service's events.
 *
 * Run: node --import tsx examples/service.ts
 */
import { noise } from '@libp2p/noise'
import { yamux } from '@libp2p/yamux'
import { identify } from '@libp2p/identify'
import { kadDHT, passthroughMapper } from '@libp2p/kad-dht'
import { ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { webSockets } from '@libp2p/websockets'
import { MemoryDatastore } from 'datastore-core'
import { createLibp2p } from 'libp2p'
import { WebSocket } from 'ws'
import { createProductNode, DEFAULT_DHT_PROTOCOL, productStore } from 'product-dht'

// @libp2p/websockets dials with the global WebSocket, which Node 20 lacks (Node 22 has it)
globalThis.WebSocket ??= WebSocket as unknown as typeof globalThis.WebSocket

// two ready-made peers to join
const peers = [await createProductNode()]
peers.push(await createProductNode({ bootstrap: peers[0].getMultiaddrs().map(String) }))

// your own node
const node = await createLibp2p({
  addresses: { listen: ['/ip4/127.0.0.1/tcp/0', '/ip4/127.0.0.1/tcp/0/ws'] },
  transports: [tcp(), webSockets()],
  connectionEncrypters: [noise()],
  streamMuxers: [yamux()],
  datastore: new MemoryDatastore(),
  services: {
    identify: identify(),
    ping: ping(),
    // the product nodes' DHT: same protocol id, and loopback addresses kept
    dht: kadDHT({ protocol: DEFAULT_DHT_PROTOCOL, clientMode: false, peerInfoMapper: passthroughMapper }),
    products: productStore()
  }
})
const products = node.services.products
products.addEventListener('replica:stored', event => {
  console.log(`this node now holds ${event.detail.id} version ${event.detail.version}, sent by …${event.detail.from.toString().slice(-6)}`)
})

try {
  console.log('own node listens on', node.getMultiaddrs().map(String).join(', '))
  await node.dial(peers[0].getMultiaddrs()[0])
  await products.discoverPeers({ signal: AbortSignal.timeout(10_000) })
  console.log(`own node knows ${products.knownPeers} record peers`)

  const receipt = await products.putProduct({ id: 'SERVICE-1', name: 'Put by a hand-built node', price: '19.90', currency: 'EUR' }, {
    onProgress: event => { if (event.type === 'product-dht:replica:answer') console.log(`  replica …${event.detail.peer.toString().slice(-6)} answered ${event.detail.status}`) }
  })
  console.log(`SERVICE-1 version ${receipt.version} on ${receipt.replicas.length} replicas`)
  console.log('a createProductNode peer reads it:', await peers[1].getProduct('SERVICE-1'))

  await peers[1].putProduct({ id: 'SERVICE-2', name: 'Put by createProductNode', price: '5.00', currency: 'USD' })
  console.log('own node reads SERVICE-2:', await products.getProduct('SERVICE-2'))
} finally {
  await node.stop()
  await Promise.all(peers.map(async peer => peer.stop()))
}
