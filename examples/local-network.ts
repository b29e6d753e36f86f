/**
 * `npm start`: a local product-dht network on 127.0.0.1.
 *
 * Starts N peers (default 8; `npm start -- 12` or N=12 for more), puts a few
 * sample products from one peer, reads each from other peers, shows which
 * peers hold the replicas, shows what a read of an id nobody stored returns,
 * then stops every peer.
 */
import { createProductNode } from 'product-dht'
import type { ProductInput, ProductNode } from 'product-dht'
import type { PeerId } from '@libp2p/interface'

const count = Number(process.argv[2] ?? process.env.N ?? 8)
if (!Number.isInteger(count) || count < 3 || count > 100) {
  console.error('usage: npm start -- [number of peers, 3 to 100]')
  process.exit(2)
}

const samples: ProductInput[] = [
  { id: 'P001', name: 'Widget', price: 99.99, currency: 'EUR', tags: ['tools'] },
  { id: 'P002', name: 'Gadget', price: '1500', currency: 'JPY', description: 'A gadget with a yen price' },
  { id: 'P003', name: 'Brass lamp', price: '12.500', currency: 'BHD', attributes: { material: 'brass', watts: 40 } },
  { id: 'SKU-7731', name: 'Trail shoe', price: '129.00', currency: 'USD', images: ['https://example.com/shoe.jpg'] }
]

const nodes: ProductNode[] = []
const short = (peer: PeerId): string => `…${peer.toString().slice(-6)}`

try {
  console.log(`Starting ${count} peers on 127.0.0.1 …`)
  const started = performance.now()
  nodes.push(await createProductNode({ listen: ['/ip4/127.0.0.1/tcp/0'] }))
  const bootstrap = nodes[0].getMultiaddrs().map(String)
  for (let i = 1; i < count; i++) {
    nodes.push(await createProductNode({ listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap }))
  }
  console.log(`${count} peers ready in ${Math.round(performance.now() - started)} ms; bootstrap peer ${bootstrap[0]}`)
  // puts and gets work from here on; waiting until the joins' lookups ended
  // as well means every peer knows the others, so that each product lands on
  // its r closest peers rather than also on the peers a thin view asked first
  await Promise.all(nodes.map(async node => node.settled()))
  console.log(`settled in ${Math.round(performance.now() - started)} ms`)
  nodes.forEach((node, i) => { console.log(`  peer ${i}: ${node.peerId.toString()} (knows ${node.knownPeers} record peers)`) })

  const writer = nodes[1]
  console.log(`\nPutting ${samples.length} products from peer 1 (r = 3, W = 2, R = 2):`)
  for (const sample of samples) {
    const receipt = await writer.putProduct(sample)
    const where = receipt.replicas.map(p => `peer ${nodes.findIndex(n => n.peerId.equals(p))} (${short(p)})`)
    console.log(`  ${sample.id.padEnd(9)} key ${receipt.key}  version ${receipt.version}  replicas: ${where.join(', ')}`)
  }

  console.log('\nReading each product from another peer:')
  for (const [i, sample] of samples.entries()) {
    const reader = nodes[(i + 2) % nodes.length]
    const record = await reader.getRecord(sample.id)
    console.log(`  peer ${nodes.indexOf(reader)} read ${sample.id}: ${JSON.stringify(record?.product)}  ` +
      `(version ${record?.version}, ${record?.agreed}/${record?.answered} replicas agreed)`)
  }

  const missing = await nodes[nodes.length - 1].getProduct('NO-SUCH-PRODUCT')
  console.log(`\nA read of an id nobody stored returns: ${String(missing)}`)
} finally {
  await Promise.all(nodes.map(async node => node.stop()))
  console.log(`Stopped ${nodes.length} peers.`)
}
