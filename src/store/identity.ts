/**
 * The node's private key, kept in its datastore so that a node restarted with
 * the same data directory keeps its peer id.
 */
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import { logger } from '@libp2p/logger'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { Key } from 'interface-datastore'
import type { AbortOptions, PrivateKey } from '@libp2p/interface'
import type { Datastore } from 'interface-datastore'

const log = logger('product-dht:identity')
const IDENTITY_KEY = new Key('/product-dht/identity/private-key')

/** Loads the stored private key, or makes an Ed25519 one and stores it. */
export async function loadOrCreatePrivateKey (datastore: Datastore, options?: AbortOptions): Promise<PrivateKey> {
  if (await datastore.has(IDENTITY_KEY, options)) {
    return privateKeyFromProtobuf(await datastore.get(IDENTITY_KEY, options))
  }
  const key = await generateKeyPair('Ed25519')
  await datastore.put(IDENTITY_KEY, privateKeyToProtobuf(key), options)
  // no node exists yet to prefix this line: it names the new peer id itself
  log('created a new identity, peer id %p', peerIdFromPrivateKey(key))
  return key
}
