/**
 * Waiting for identify is bounded by its grace, whatever holds up the peer
 * store: a join must not hang on a crowded node's locks.
 */
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { TypedEventEmitter } from 'main-event'
import { waitForIdentify } from '../../src/discovery/identified.js'
import type { Connection, Libp2pEvents, PeerStore } from '@libp2p/interface'

describe('waiting for identify', () => {
  it('ends after its grace even when a peer store read never returns', async () => {
    const remotePeer = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
    const stuck = { get: async () => new Promise(() => {}) } as unknown as PeerStore
    const started = Date.now()
    await waitForIdentify({
      getConnections: () => [{ remotePeer } as unknown as Connection],
      peerStore: stuck,
      events: new TypedEventEmitter<Libp2pEvents>()
    }, { grace: 100 })
    const took = Date.now() - started
    assert.ok(took < 5_000, `waited ${took} ms with a grace of 100 ms`)
  })
})
