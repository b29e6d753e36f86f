/**
 * The programmatic API in 30 lines: three peers, a put, a get, an update, a delete.
 * Run: node --import tsx examples/api.ts
 */
import { createProductNode, InvalidProductError } from 'product-dht'

const seller = await createProductNode({ listen: ['/ip4/127.0.0.1/tcp/0'] })
const bootstrap = seller.getMultiaddrs().map(String)
const peers = [await createProductNode({ bootstrap }), await createProductNode({ bootstrap })]
const signal = AbortSignal.timeout(10_000)

const receipt = await seller.putProduct({ id: 'P001', name: 'Widget', price: 99.99, currency: 'EUR', tags: ['tools'] }, { signal })
console.log('stored', receipt.key, 'version', receipt.version, 'on', receipt.replicas.length, 'replicas')

console.log('read from another peer:', await peers[0].getProduct('P001', { signal }))
await seller.putProduct({ id: 'P001', name: 'Widget', price: '89.90', currency: 'EUR' }, { signal })
const record = await peers[1].getRecord('P001', { signal })
console.log(`now ${record?.product.price} ${record?.product.currency}, version ${record?.version}, ${record?.agreed}/${record?.answered} agree`)

try {
  await seller.putProduct({ id: 'P002', name: 'Bad', price: 1.999, currency: 'EUR' })
} catch (err) {
  if (err instanceof InvalidProductError) console.log('refused:', err.issues)
}

await seller.deleteProduct('P001', { signal })
console.log('after delete:', await peers[0].getProduct('P001', { signal }))
await Promise.all([seller, ...peers].map(async node => node.stop()))
