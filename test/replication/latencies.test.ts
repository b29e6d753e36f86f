/**
 * The ring of recent round trips a read's hedge delay comes from.
 */
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { RecentLatencies } from '../../src/replication/latencies.js'

describe('recent round trips', () => {
  it('has no percentile before its first sample', () => {
    assert.equal(new RecentLatencies().percentile(99), undefined)
  })

  it('gives the nearest-rank percentile of what it holds', () => {
    const latencies = new RecentLatencies()
    // recorded out of order: the percentile sorts
    for (let i = 100; i >= 1; i--) latencies.record(i)
    assert.equal(latencies.size, 100)
    assert.equal(latencies.percentile(50), 50)
    assert.equal(latencies.percentile(99), 99)
    assert.equal(latencies.percentile(100), 100)
  })

  it('keeps only the last samples, so a slow spell ages out', () => {
    const latencies = new RecentLatencies(10)
    for (let i = 0; i < 10; i++) latencies.record(500)
    assert.equal(latencies.percentile(99), 500)
    for (let i = 1; i <= 10; i++) latencies.record(i)
    assert.equal(latencies.size, 10)
    assert.equal(latencies.percentile(99), 10)
    assert.equal(latencies.percentile(50), 5)
  })
})
