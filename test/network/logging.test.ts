/**
 * Debug logs a person can read with ten nodes in one process: each line
 * names the node that wrote it, and routine events (a peer resetting an idle
 * pooled stream: here the client stops, which resets the streams it kept)
 * are one line, not a stack trace.
 */
import { describe, it, after } from 'node:test'
import assert from 'node:assert/strict'
import { disable, enable } from '@libp2p/logger'
import { createProductNode } from '../../src/index.js'
import { stopAll } from '../helpers/network.js'
import type { ProductNode } from '../../src/index.js'

describe('debug logs', () => {
  const nodes: ProductNode[] = []
  after(async () => {
    disable()
    await stopAll(nodes)
  })

  it('name the node on every line and print no stack trace when a peer resets an idle stream', async () => {
    // loggers are made when the nodes are: debug output is on from the start, and kept from the get on
    const lines: string[] = []
    let keep = false
    const write = process.stderr.write.bind(process.stderr)
    process.stderr.write = ((chunk: string | Uint8Array): boolean => {
      if (keep) lines.push(String(chunk))
      return true
    }) as typeof process.stderr.write
    enable('*product-dht:*')
    try {
      await resetAndRead(lines, () => { keep = true })
    } finally {
      disable()
      process.stderr.write = write
    }
  })

  async function resetAndRead (lines: string[], startKeeping: () => void): Promise<void> {
    const r1 = { replicationFactor: 1, writeQuorum: 1, readQuorum: 1 }
    nodes.push(await createProductNode(r1))
    nodes.push(await createProductNode({ ...r1, clientMode: true, bootstrap: nodes[0].getMultiaddrs().map(String) }))
    const [server, client] = nodes
    await client.putProduct({ id: 'LOG-1', name: 'Logged', price: '1.00', currency: 'EUR' })

    // the client keeps the stream of its put for reuse; stopping resets it under the server
    startKeeping()
    await client.stop()
    await new Promise(resolve => setTimeout(resolve, 200))
    const text = lines.join('')
    const reset = text.split('\n').filter(line => line.includes('ended early'))
    assert.equal(reset.length, 1, `expected one line about the reset stream:\n${text}`)
    assert.doesNotMatch(text, /\n\s+at /, 'a routine reset printed a stack trace')
    // every line begins with the writer's short peer id (peerLogger)
    const short = server.peerId.toString()
    const productLines = text.split('\n').filter(line => line.includes('product-dht:protocol:server'))
    assert.ok(productLines.length > 0)
    for (const line of productLines) {
      // "[time] 12…7ZUV:product-dht:protocol:server message" (a time stamp when stderr is not a terminal)
      const namespace = line.trim().split(' ').find(word => word.includes(':product-dht:')) ?? ''
      const [head, tail] = namespace.split(':')[0].split('…')
      assert.ok(short.startsWith(head) && short.endsWith(tail), `a line that does not name its node: ${line}`)
    }
  }
})
