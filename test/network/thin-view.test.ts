/**
 * A network smaller than the replication factor: every node knows all the
 * record peers there are, so a put or get gains nothing from a DHT lookup.
 * After one lookup that found nobody new, the next ones wait until the view
 * changes (or 30 s pass) instead of costing every operation a lookup.
 */
import { describe, it, after } from 'node:test'
import assert from 'node:assert/strict'
import { startNetwork, stopAll } from '../helpers/network.js'
import type { ProductNode } from '../../src/index.js'

describe('a network smaller than r', () => {
  let nodes: ProductNode[] = []
  after(async () => { await stopAll(nodes) })

  it('does not look up record peers for every operation once a lookup found nobody new', async () => {
    nodes = await startNetwork(2)
    const [writer] = nodes
    // counts the DHT lookups the writer's service asks of libp2p's peer routing
    const routing = writer.libp2p.peerRouting
    const lookup = routing.getClosestPeers.bind(routing)
    let lookups = 0
    routing.getClosestPeers = (key, options) => { lookups++; return lookup(key, options) }

    const lookupsSeen: number[] = []
    for (let i = 0; i < 10; i++) {
      await writer.putProduct({ id: `THIN-${i}`, name: `Product ${i}`, price: '1.00', currency: 'EUR' }, {
        onProgress: event => { if (event.type === 'product-dht:lookup') lookupsSeen.push(i) }
      })
      assert.equal((await nodes[1].getProduct(`THIN-${i}`))?.name, `Product ${i}`)
    }
    assert.equal(lookupsSeen.length, 10, 'every put found the view thinner than r')
    assert.equal(lookups, 1, 'only the first put looked up')
  })
})
