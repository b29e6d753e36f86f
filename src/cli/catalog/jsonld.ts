/**
 * schema.org `Product` in JSON-LD, as storefronts embed it and shopping
 * feeds carry it: a Product, a list of them, or a document whose `@graph`
 * (or an ItemList's `itemListElement`) holds them. Read: `sku` (else
 * `productID`) → id, `name`, `description`, `category`, `image` → images,
 * `offers.price` / `offers.priceCurrency` (the first offer; `lowPrice` of
 * an AggregateOffer) → price / currency, `keywords` → tags,
 * `additionalProperty` (PropertyValue name/value) → attributes. Written: the
 * same fields, in a `@graph`. An HTML page (a product page as a storefront
 * serves it) is read for its `<script type="application/ld+json">` blocks.
 */
import { Parser } from 'htmlparser2'
import { isObject, unreadable } from './items.js'
import type { CatalogItem } from './items.js'
import type { AttributeValue, Product } from '../../types.js'

const CONTEXT = 'https://schema.org'

function isProduct (node: Record<string, unknown>): boolean {
  const type = node['@type']
  return type === 'Product' || type === `${CONTEXT}/Product` || (Array.isArray(type) && type.includes('Product'))
}

/** Every Product node in a JSON-LD document, in document order. */
function productNodes (value: unknown): Array<Record<string, unknown>> {
  if (Array.isArray(value)) return value.flatMap(productNodes)
  if (!isObject(value)) return []
  if (isProduct(value)) return [value]
  if (Array.isArray(value['@graph'])) return productNodes(value['@graph'])
  if (Array.isArray(value.itemListElement)) return value.itemListElement.flatMap(element => productNodes(isObject(element) && 'item' in element ? element.item : element))
  return []
}

function first (value: unknown): unknown {
  return Array.isArray(value) ? value[0] : value
}

function text (value: unknown): string | undefined {
  if (typeof value === 'string') return value
  if (typeof value === 'number') return String(value)
  if (isObject(value) && typeof value.name === 'string') return value.name
  return undefined
}

function imageUrl (value: unknown): unknown {
  return isObject(value) ? value.contentUrl ?? value.url : value
}

/** A schema.org Product node as a product-dht product (not yet validated). */
export function productOfNode (node: Record<string, unknown>): Record<string, unknown> {
  const product: Record<string, unknown> = {}
  const id = text(node.sku) ?? text(node.productID)
  if (id !== undefined) product.id = id
  if (node.name !== undefined) product.name = node.name
  if (node.description !== undefined) product.description = node.description
  const category = text(first(node.category))
  if (category !== undefined) product.category = category
  if (node.image !== undefined) product.images = (Array.isArray(node.image) ? node.image : [node.image]).map(imageUrl)
  const offer = first(node.offers)
  if (isObject(offer)) {
    const specification = isObject(offer.priceSpecification) ? offer.priceSpecification : {}
    const price = offer.price ?? offer.lowPrice ?? specification.price
    const currency = offer.priceCurrency ?? specification.priceCurrency
    if (price !== undefined) product.price = price
    if (currency !== undefined) product.currency = currency
  }
  if (typeof node.keywords === 'string') {
    product.tags = node.keywords.split(',').map(tag => tag.trim()).filter(tag => tag !== '')
  } else if (Array.isArray(node.keywords)) {
    product.tags = node.keywords
  }
  if (Array.isArray(node.additionalProperty)) {
    const attributes: Record<string, unknown> = {}
    for (const property of node.additionalProperty) {
      if (isObject(property) && typeof property.name === 'string') attributes[property.name] = property.value
    }
    product.attributes = attributes
  }
  return product
}

/** The text of every `<script type="application/ld+json">` of an HTML page, in page order. */
export function jsonLdBlocks (html: string): string[] {
  const blocks: string[] = []
  let block: string | undefined
  const parser = new Parser({
    onopentag (name, attributes) {
      if (name === 'script' && attributes.type?.trim().toLowerCase() === 'application/ld+json') block = ''
    },
    ontext (text) {
      if (block !== undefined) block += text
    },
    onclosetag (name) {
      if (name === 'script' && block !== undefined) {
        blocks.push(block)
        block = undefined
      }
    }
  })
  parser.write(html)
  parser.end()
  return blocks
}

/** The Products of a JSON-LD document, or of the JSON-LD blocks of an HTML page. */
export function readJsonLd (source: string, name: string): CatalogItem[] {
  const html = source.trimStart().startsWith('<')
  const documents: unknown[] = []
  for (const [index, text] of (html ? jsonLdBlocks(source) : [source]).entries()) {
    try {
      documents.push(JSON.parse(text))
    } catch (err) {
      return [unreadable(html ? `${name} (JSON-LD block ${index + 1})` : name, `not JSON: ${(err as Error).message}`)]
    }
  }
  const nodes = documents.flatMap(productNodes)
  if (nodes.length === 0) {
    return [unreadable(name, `no schema.org Product in the ${html ? 'page' : 'document'}`)]
  }
  return nodes.map((node, index) => ({ source: `${name}#${index + 1}`, product: productOfNode(node) }))
}

/** A product as a schema.org Product node. */
export function nodeOfProduct (product: Product): Record<string, unknown> {
  const node: Record<string, unknown> = { '@type': 'Product', sku: product.id, name: product.name }
  if (product.description !== undefined) node.description = product.description
  if (product.category !== undefined) node.category = product.category
  if (product.images !== undefined) node.image = product.images
  if (product.tags !== undefined) node.keywords = product.tags
  if (product.attributes !== undefined) {
    node.additionalProperty = Object.entries(product.attributes).map(([name, value]: [string, AttributeValue]) => ({ '@type': 'PropertyValue', name, value }))
  }
  // the canonical decimal string: schema.org takes Text as well as Number, and text stays exact
  node.offers = { '@type': 'Offer', price: product.price, priceCurrency: product.currency }
  return node
}

/** The start and end of a written JSON-LD document; the nodes go between, separated by `,\n`. */
export const JSON_LD_START = `{\n"@context": "${CONTEXT}",\n"@graph": [\n`
export const JSON_LD_END = '\n]\n}\n'
