/**
 * Joining through bootstrap peers: a node whose bootstrap peers are all
 * unreachable rejects with BootstrapError naming each; `startAlone` runs
 * alone, warns, and joins once a bootstrap peer comes up; a node is ready
 * once a bootstrap peer answered and leaves its lookups to the background;
 * among product nodes only, nobody announces itself.
 */
import { describe, it, after } from 'node:test'
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { connect, createServer } from 'node:net'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { defaultLogger } from '@libp2p/logger'
import { AbortError } from '@libp2p/interface'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { BootstrapError, createProductNode, rendezvousCid } from '../../src/index.js'
import { joinNetwork, routingTableFilled } from '../../src/join.js'
import { stopAll } from '../helpers/network.js'
import type { ProductHost } from '../../src/host.js'
import type { ProductNode } from '../../src/index.js'
import type { AbortOptions } from '@libp2p/interface'

/** A TCP port nothing listens on now. */
async function freePort (): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as { port: number }
  server.close()
  await once(server, 'close')
  return port
}

describe('bootstrap peers that cannot be reached', () => {
  const nodes: ProductNode[] = []
  after(async () => { await stopAll(nodes) })

  it('reject the start with BootstrapError, naming each address and why', async () => {
    const key = await generateKeyPair('Ed25519')
    const absent = peerIdFromPrivateKey(key).toString()
    const addresses = [`/ip4/127.0.0.1/tcp/${await freePort()}/p2p/${absent}`, '/ip4/127.0.0.1/tcp/1/p2p/' + absent]
    await assert.rejects(createProductNode({ bootstrap: addresses }), (err: unknown) => {
      assert.ok(err instanceof BootstrapError)
      assert.equal(err.name, 'BootstrapError')
      assert.deepEqual(err.failures.map(f => f.address), addresses)
      for (const failure of err.failures) assert.match(failure.reason, /ECONNREFUSED/)
      assert.match(err.message, /startAlone/)
      return true
    })
  })

  it('that take the whole join timeout reject with BootstrapError too, or start alone when asked', async () => {
    // a listener that accepts connections and never speaks: the dial hangs until the join gives up
    const silent = createServer(socket => { socket.on('error', () => {}) }).listen(0, '127.0.0.1')
    await once(silent, 'listening')
    try {
      const { port } = silent.address() as { port: number }
      const address = `/ip4/127.0.0.1/tcp/${port}/p2p/${peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()}`
      await assert.rejects(createProductNode({ bootstrap: [address], joinTimeout: 1_000 }), (err: unknown) => {
        assert.ok(err instanceof BootstrapError)
        assert.deepEqual(err.failures, [{ address, reason: 'no answer within the join timeout' }])
        return true
      })
      const alone = await createProductNode({ bootstrap: [address], joinTimeout: 1_000, startAlone: true })
      nodes.push(alone)
      assert.equal(alone.isStarted(), true)
    } finally {
      silent.close()
    }
  })

  it('with startAlone, start alone with a warning and join once a bootstrap peer is up', async () => {
    const key = await generateKeyPair('Ed25519')
    const port = await freePort()
    const address = `/ip4/127.0.0.1/tcp/${port}/p2p/${peerIdFromPrivateKey(key).toString()}`
    const warnings: Error[] = []
    const onWarning = (warning: Error): void => { warnings.push(warning) }
    process.on('warning', onWarning)
    try {
      const alone = await createProductNode({ bootstrap: [address], startAlone: true, replicationFactor: 1, writeQuorum: 1, readQuorum: 1 })
      nodes.push(alone)
      assert.equal(alone.isStarted(), true)
      await new Promise(resolve => setImmediate(resolve))
      assert.ok(warnings.some(w => (w as Error & { code?: string }).code === 'PRODUCT_DHT_STARTED_ALONE' && w.message.includes(address)), 'no warning said the node runs alone')
      // it works alone meanwhile
      await alone.putProduct({ id: 'ALONE-1', name: 'Alone', price: '1.00', currency: 'EUR' })

      const bootstrapNode = await createProductNode({ privateKey: key, listen: [`/ip4/127.0.0.1/tcp/${port}`], replicationFactor: 1, writeQuorum: 1, readQuorum: 1 })
      nodes.push(bootstrapNode)
      // the first retry comes 5 s after the start
      for (let i = 0; i < 100 && alone.knownPeers === 0; i++) await new Promise(resolve => setTimeout(resolve, 100))
      assert.equal(alone.knownPeers, 1, 'the node never joined its bootstrap peer')
    } finally {
      process.off('warning', onWarning)
    }
  })
})

describe('a bootstrap peer that turns joins away', () => {
  const nodes: ProductNode[] = []
  after(async () => { await stopAll(nodes) })

  it('is dialled again after resets, with pauses, until it takes the join', async () => {
    const bootstrap = await createProductNode()
    nodes.push(bootstrap)
    const targetPort = Number(/\/tcp\/(\d+)/.exec(bootstrap.getMultiaddrs()[0].toString())?.[1])
    // in front of it, what a peer past its limit of pending connections does: reset the first three
    let resets = 0
    const resetAt: number[] = []
    const front = createServer(socket => {
      socket.on('error', () => {})
      if (resets < 3) {
        resets++
        resetAt.push(Date.now())
        socket.resetAndDestroy()
        return
      }
      const back = connect(targetPort, '127.0.0.1')
      back.on('error', () => { socket.destroy() })
      socket.on('close', () => { back.destroy() })
      socket.pipe(back).pipe(socket)
    }).listen(0, '127.0.0.1')
    await once(front, 'listening')
    try {
      const { port } = front.address() as { port: number }
      const joiner = await createProductNode({ bootstrap: [`/ip4/127.0.0.1/tcp/${port}/p2p/${bootstrap.peerId.toString()}`] })
      nodes.push(joiner)
      assert.equal(resets, 3)
      assert.ok(joiner.libp2p.getConnections(bootstrap.peerId).length > 0, 'connected to the bootstrap peer')
      // pauses of about 100, then 200 ms (a random half more or less)
      const pauses = resetAt.slice(1).map((at, i) => at - resetAt[i])
      assert.ok(pauses.every(p => p >= 40), `pauses between the dials: ${pauses.join(', ')} ms`)
    } finally {
      front.close()
    }
  })
})

describe('a join that runs out of time', () => {
  /** A stand-in host: the dial succeeds, and the lookup, like kad-dht's on a crowded network, ends only when aborted. */
  async function slowHost (): Promise<ProductHost> {
    const peerId = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
    return {
      peerId,
      dial: async () => ({}),
      getConnections: () => [],
      addEventListener: () => {},
      removeEventListener: () => {},
      services: {
        dht: {
          routingTable: { size: 1 },
          async * getClosestPeers (_key: Uint8Array, options: AbortOptions) {
            await new Promise((_resolve, reject) => {
              options.signal?.addEventListener('abort', () => { reject(new AbortError()) }, { once: true })
            })
            yield undefined
          }
        }
      }
    } as unknown as ProductHost
  }
  const log = defaultLogger().forComponent('test')

  it('resolves once a bootstrap peer answered, without waiting for a lookup', async () => {
    const host = await slowHost()
    const result = await joinNetwork(host, ['/ip4/127.0.0.1/tcp/4001/p2p/' + host.peerId.toString()], log, { timeout: 10_000 })
    assert.equal(result.reached, 1)
  })

  it('leaves the lookup that fills the routing table to end when the caller aborts it', async () => {
    const host = await slowHost()
    const controller = new AbortController()
    setTimeout(() => { controller.abort() }, 100)
    await assert.rejects(routingTableFilled(host, log, { signal: controller.signal }))
  })
})

describe('a node that joins a network of product nodes', () => {
  let nodes: ProductNode[] = []
  after(async () => { await stopAll(nodes) })

  it('is ready once its bootstrap peer is identified, and knows every peer once its lookups settled', async () => {
    nodes = [await createProductNode()]
    const bootstrap = nodes[0].getMultiaddrs().map(String)
    nodes.push(...await Promise.all(Array.from({ length: 7 }, async () => createProductNode({ bootstrap }))))
    // ready: the bootstrap peer is a record peer in every view, and puts and gets work at once
    for (const node of nodes.slice(1)) {
      assert.ok(node.status().knownPeers >= 1)
    }
    const put = await nodes[7].putProduct({ id: 'P-EARLY', name: 'early', price: '1.00', currency: 'EUR' })
    assert.equal(put.replicas.length, 3)
    assert.equal((await nodes[1].getProduct('P-EARLY'))?.name, 'early')

    await Promise.all(nodes.map(async node => node.settled({ signal: AbortSignal.timeout(60_000) })))
    // the newest nodes' lookups reached every earlier node, and back: a full view everywhere (bounded wait for identify)
    for (let i = 0; i < 100 && nodes.some(n => n.knownPeers < nodes.length - 1); i++) {
      await new Promise(resolve => setTimeout(resolve, 50))
    }
    assert.deepEqual(nodes.map(n => n.knownPeers), nodes.map(() => nodes.length - 1))
  })

  it('announces nothing among product nodes only: identify finds them', async () => {
    const providers: string[] = []
    for await (const event of nodes[3].libp2p.services.dht.findProviders(rendezvousCid('default'), { signal: AbortSignal.timeout(5_000) })) {
      if (event.name === 'PROVIDER') providers.push(...event.providers.map(p => p.id.toString()))
    }
    assert.deepEqual(providers, [])
  })
})
