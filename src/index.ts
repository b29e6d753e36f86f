/**
 * product-dht: a peer-to-peer store for e-commerce product metadata on
 * js-libp2p. This module only re-exports the public API: `productStore()`,
 * the libp2p service, for a node you build; `createProductNode()` for a
 * ready node with the defaults.
 */
import './polyfill.js'

export { productStore } from './service.js'
export type { ProductStore, ProductStoreComponents } from './service.js'
export type { NeighbourhoodOptions, NeighbourhoodResult } from './discovery/neighbourhood.js'
export { createProductNode, ProductNode } from './node.js'
export { DEFAULT_DHT_PROTOCOL, PUBLIC_DHT_PROTOCOL, RECORD_PROTOCOL } from './options.js'
export type { AddressFilter, ProductNodeOptions, ProductStoreInit } from './options.js'
export type { ProductHost, HostServices } from './host.js'
export { loadOrCreatePublisherKey, publisherId } from './store/publisher-key.js'
export type { PublisherRef } from './model/publishers.js'
export { productKey, productKeyString, keyToString, rendezvousCid } from './model/keys.js'
export { validateProduct } from './model/product.js'
export { canonicalPrice, currencyDigits } from './model/money.js'
export { MAX_RECORD_SIZE } from './model/record.js'
export * from './errors.js'
export type * from './types.js'
