/**
 * The original single-node snippet, done on a real network:
 *
 *   store("P001", "name:Widget,price:99.99")
 *   retrieve("P001")   → "DHT result: name:Widget,price:99.99"
 *
 * The "key:value,key:value" metadata is parsed into a product (the snippet
 * named no currency, so EUR is assumed), put from one peer and read from
 * another. An id nobody stored prints `not_found`.
 * Run: node --import tsx examples/seed.ts
 */
import { createProductNode } from 'product-dht'
import type { ProductNode, Product } from 'product-dht'

const DEFAULT_CURRENCY = 'EUR'

/** "name:Widget,price:99.99" → { name: 'Widget', price: '99.99' } */
function parseMetadata (metadata: string): Record<string, string> {
  const fields: Record<string, string> = {}
  for (const pair of metadata.split(',')) {
    const at = pair.indexOf(':')
    if (at <= 0) throw new Error(`"${pair}" is not key:value`)
    fields[pair.slice(0, at).trim()] = pair.slice(at + 1).trim()
  }
  return fields
}

function formatMetadata (product: Product): string {
  return `name:${product.name},price:${product.price}`
}

async function store (node: ProductNode, id: string, metadata: string): Promise<void> {
  const { name, price, currency = DEFAULT_CURRENCY } = parseMetadata(metadata)
  await node.putProduct({ id, name, price, currency })
}

async function retrieve (node: ProductNode, id: string): Promise<string> {
  const product = await node.getProduct(id)
  return product === undefined ? 'not_found' : formatMetadata(product)
}

const nodes = [await createProductNode()]
const bootstrap = nodes[0].getMultiaddrs().map(String)
nodes.push(await createProductNode({ bootstrap }), await createProductNode({ bootstrap }), await createProductNode({ bootstrap }))
try {
  await store(nodes[1], 'P001', 'name:Widget,price:99.99')
  console.log(`DHT result: ${await retrieve(nodes[3], 'P001')}`)
  console.log(`DHT result: ${await retrieve(nodes[2], 'P999')}`)
} finally {
  await Promise.all(nodes.map(async node => node.stop()))
}
