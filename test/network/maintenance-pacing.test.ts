/**
 * No storms: a node holding many records that meets a neighbour which should
 * hold them too sends them at `maintenanceRate` records per second at most,
 * and sends every one of them.
 */
import { describe, it, after } from 'node:test'
import assert from 'node:assert/strict'
import { createProductNode } from '../../src/index.js'
import { heldProducts, stopAll, until } from '../helpers/network.js'
import type { ProductNode } from '../../src/index.js'

const RECORDS = 120
const RATE = 20

describe('replica maintenance is paced', () => {
  const nodes: ProductNode[] = []
  after(async () => { await stopAll(nodes) })

  it(`moves ${RECORDS} records to a new neighbour at ${RATE} per second at most`, async () => {
    // alone, with r = 2 and W = 1: every product waits for a second replica
    const holder = await createProductNode({ replicationFactor: 2, writeQuorum: 1, readQuorum: 1, maintenanceRate: RATE, maintenanceDelay: 100 })
    nodes.push(holder)
    for (let i = 0; i < RECORDS; i++) {
      await holder.putProduct({ id: `PACED-${i}`, name: `Product ${i}`, price: '1.00', currency: 'EUR' })
    }
    const newcomer = await createProductNode({ replicationFactor: 2, writeQuorum: 1, readQuorum: 1, maintenanceRate: RATE, bootstrap: holder.getMultiaddrs().map(String) })
    nodes.push(newcomer)
    const joined = Date.now()

    // the rate limiter starts at most RATE transfers in each second: sampled
    // against elapsed time, the count can only fall below this bound, never above
    // (the holder pushes, the newcomer pulls: each node is bounded on its own)
    const moved = (node: ProductNode): number => node.status().maintenance.pushed + node.status().maintenance.pulled
    const samples: Array<{ ms: number, holder: number, newcomer: number }> = []
    // a sync session adds what it moved to the counts when it ends, after the last record arrived
    await until(`the newcomer holds all ${RECORDS}, and the sessions that moved them ended`, async () => {
      samples.push({ ms: Date.now() - joined, holder: moved(holder), newcomer: moved(newcomer) })
      return (await heldProducts(newcomer)).size === RECORDS && moved(holder) + moved(newcomer) >= RECORDS
    }, 60_000)
    for (const sample of samples) {
      const bound = RATE * (Math.floor(sample.ms / 1000) + 1)
      assert.ok(sample.holder <= bound && sample.newcomer <= bound, `moved ${sample.holder} and ${sample.newcomer} ${sample.ms} ms after the join`)
    }
  })
})
