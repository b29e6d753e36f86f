/**
 * A seller's key and a closed catalog.
 *
 *   node --import tsx examples/seller.ts [key file]
 *
 * Without a key file the seller's key lives in memory for this run only: an
 * example never writes a private key into the working tree. Give a path
 * (outside any repository, e.g. ~/.config/acme/seller.key) to keep the key:
 * it is created there with mode 0600 if missing, and read from there after.
 *
 * Starts 4 peers that only accept records signed by the seller's key, publishes
 * from one peer with that key, updates from another with compare-and-set, and
 * shows a peer publishing with its own key being refused.
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import { createProductNode, loadOrCreatePublisherKey, publisherId } from 'product-dht'
import type { ProductNode } from 'product-dht'

const keyFile = process.argv[2]
const seller = keyFile === undefined ? await generateKeyPair('Ed25519') : await loadOrCreatePublisherKey(keyFile)
console.log(`Seller ${publisherId(seller)} (${keyFile === undefined ? 'a key in memory for this run; pass a file path to keep one' : `key in ${keyFile}`})`)

const catalog = { publishers: [publisherId(seller)] }
const nodes: ProductNode[] = [await createProductNode(catalog)]
const bootstrap = nodes[0].getMultiaddrs().map(String)
for (let i = 1; i < 4; i++) nodes.push(await createProductNode({ ...catalog, bootstrap }))

try {
  const put = await nodes[1].putProduct({ id: 'SELLER-1', name: 'Lamp', price: '40.00', currency: 'EUR' }, { publisherKey: seller })
  console.log(`peer 1 published SELLER-1 version ${put.version}, signed by ${put.publisher.equals(publisherId(seller)) ? 'the seller' : put.publisher}`)

  // read-modify-write from another peer, with the same key file
  const current = (await nodes[2].getRecord('SELLER-1'))!
  const update = await nodes[2].putProduct({ ...current.product, price: '35.00' }, { publisherKey: seller, expectedVersion: current.version })
  console.log(`peer 2 lowered the price: version ${update.version}`)
  console.log('peer 3 reads:', JSON.stringify(await nodes[3].getProduct('SELLER-1')))

  await nodes[3].putProduct({ id: 'SELLER-1', name: 'Lamp', price: '0.01', currency: 'EUR' }).catch((err: Error) => {
    console.log(`peer 3 publishing with its own key: ${err.name}`)
  })
} finally {
  await Promise.all(nodes.map(async node => node.stop()))
}
