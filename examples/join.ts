/**
 * Two terminals, one network.
 *
 *   terminal 1:  node --import tsx examples/join.ts
 *                (starts a bootstrap peer, puts product JOIN-A, prints its address)
 *   terminal 2:  node --import tsx examples/join.ts /ip4/127.0.0.1/tcp/4001/p2p/12D3Koo…
 *                (joins through that address, reads JOIN-A, puts JOIN-B, reads it back)
 *
 * Environment: LISTEN (default /ip4/127.0.0.1/tcp/0; on a LAN e.g. /ip4/0.0.0.0/tcp/4001),
 * DATA_DIR (keep records and identity on disk), DHT_PROTOCOL and CATALOG (to join an
 * existing libp2p network, e.g. DHT_PROTOCOL=/ipfs/kad/1.0.0). The first peer runs until Ctrl+C.
 */
import { createProductNode } from 'product-dht'

const bootstrapAddress = process.argv[2]
const node = await createProductNode({
  listen: [process.env.LISTEN ?? '/ip4/127.0.0.1/tcp/0'],
  bootstrap: bootstrapAddress === undefined ? [] : [bootstrapAddress],
  dataDir: process.env.DATA_DIR,
  dhtProtocol: process.env.DHT_PROTOCOL,
  catalog: process.env.CATALOG,
  // with two peers, one acknowledgement and one answer are a quorum
  writeQuorum: 1,
  readQuorum: 1
})
const stop = async (): Promise<void> => {
  await node.stop()
  process.exit(0)
}
process.once('SIGINT', () => { void stop() })
process.once('SIGTERM', () => { void stop() })

if (bootstrapAddress === undefined) {
  await node.putProduct({ id: 'JOIN-A', name: 'Put by the first peer', price: '10.00', currency: 'EUR' })
  console.log('Bootstrap peer running. In another terminal, join it with:\n')
  for (const address of node.getMultiaddrs()) {
    console.log(`  node --import tsx examples/join.ts ${address.toString()}`)
  }
  console.log('\nCtrl+C stops it.')
} else {
  console.log(`Joined through ${bootstrapAddress}; ${node.knownPeers} record peer(s) known`)
  console.log('JOIN-A, put by the first peer:', await node.getProduct('JOIN-A'))
  const receipt = await node.putProduct({ id: 'JOIN-B', name: 'Put by the second peer', price: '20.00', currency: 'EUR' })
  console.log('JOIN-B stored on', receipt.replicas)
  console.log('JOIN-B read back:', await node.getProduct('JOIN-B'))
  await stop()
}
