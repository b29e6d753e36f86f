/**
 * A seller's publishing key in a file of its own, so that the seller can
 * publish from any node: the libp2p protobuf encoding of the private key,
 * written once with mode 0600.
 */
import { readFile, writeFile } from 'node:fs/promises'
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { InvalidParametersError } from '../errors.js'
import type { PeerId, PrivateKey } from '@libp2p/interface'

/** Reads the key at `path`, or creates an Ed25519 key there when no file exists. */
export async function loadOrCreatePublisherKey (path: string): Promise<PrivateKey> {
  let bytes: Uint8Array
  try {
    bytes = await readFile(path)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw err
    }
    const key = await generateKeyPair('Ed25519')
    // 'wx': never overwrite a key another process created meanwhile
    await writeFile(path, privateKeyToProtobuf(key), { mode: 0o600, flag: 'wx' })
    return key
  }
  try {
    return privateKeyFromProtobuf(bytes)
  } catch (err) {
    throw new InvalidParametersError(`${path} does not hold a libp2p private key: ${(err as Error).message}`)
  }
}

/** The peer id form of a publisher's key: what receipts and records name, and what `publishers` lists. */
export function publisherId (key: PrivateKey): PeerId {
  return peerIdFromPrivateKey(key)
}
