/**
 * product-dht: a peer-to-peer store for e-commerce product metadata on
 * js-libp2p. This module only re-exports the public API.
 */
import './polyfill.js'

export { createProductNode, ProductNode } from './node.js'
export type { ProductNodeOptions, PutOptions, DeleteOptions } from './node.js'
export { loadOrCreatePublisherKey, publisherId } from './store/publisher-key.js'
export type { PublisherRef } from './model/publishers.js'
export type { AddressFilter } from './host.js'
export { DEFAULT_DHT_PROTOCOL, PUBLIC_DHT_PROTOCOL } from './host.js'
export { RECORD_PROTOCOL } from './protocol/constants.js'
export { productKey, productKeyString, keyToString, rendezvousCid } from './model/keys.js'
export { validateProduct } from './model/product.js'
export { canonicalPrice, currencyDigits } from './model/money.js'
export { MAX_RECORD_SIZE } from './model/record.js'
export * from './errors.js'
export type * from './types.js'
