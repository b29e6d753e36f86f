/**
 * Helpers for tests on real networks of product nodes on 127.0.0.1.
 */
import { createHash } from 'node:crypto'
import { lpStream } from '@libp2p/utils'
import { createProductNode } from '../../src/index.js'
import { Request, Response } from '../../src/model/messages.js'
import { RECORD_PROTOCOL } from '../../src/protocol/constants.js'
import type { ProductNode, ProductNodeOptions } from '../../src/index.js'
import type { PeerId } from '@libp2p/interface'

/**
 * Starts `count` nodes: the first alone, the others joining through it a few
 * at a time. Stops every node it started if one fails to start.
 */
export async function startNetwork (count: number, options: ProductNodeOptions = {}): Promise<ProductNode[]> {
  const nodes: ProductNode[] = []
  try {
    nodes.push(await createProductNode(options))
    const bootstrap = nodes[0].getMultiaddrs().map(String)
    for (let i = 1; i < count; i += 4) {
      const batch = Array.from({ length: Math.min(4, count - i) }, async () => createProductNode({ ...options, bootstrap }))
      nodes.push(...await Promise.all(batch))
    }
    // a settled network: every node's own lookup has reached its closest peers,
    // and (bounded) the peers it reached have identified it, so views are full
    await Promise.all(nodes.map(async node => node.settled({ signal: AbortSignal.timeout(60_000) })))
    for (let i = 0; i < 200 && nodes.some(n => n.knownPeers < nodes.length - 1); i++) {
      await new Promise(resolve => setTimeout(resolve, 50))
    }
    return nodes
  } catch (err) {
    await stopAll(nodes)
    throw err
  }
}

export async function stopAll (nodes: ProductNode[]): Promise<void> {
  await Promise.all(nodes.map(async node => node.stop()))
}

function sha256 (bytes: Uint8Array): Buffer {
  return createHash('sha256').update(bytes).digest()
}

/**
 * The r peers closest to product `id`, computed here with node:crypto and
 * BigInt XOR, independently of the code under test.
 */
export function expectedReplicas (id: string, peers: PeerId[], r: number): string[] {
  const key = Buffer.concat([Buffer.from([0x12, 0x20]), sha256(Buffer.from(id, 'utf8'))])
  const target = BigInt('0x' + sha256(key).toString('hex'))
  return peers
    .map(peer => ({ peer: peer.toString(), distance: BigInt('0x' + sha256(peer.toMultihash().bytes).toString('hex')) ^ target }))
    .sort((a, b) => a.distance < b.distance ? -1 : a.distance > b.distance ? 1 : 0)
    .slice(0, r)
    .map(e => e.peer)
}

/** Sends raw frames on the record protocol from `from` to `to` and returns the decoded response, if any. */
export async function rawExchange (from: ProductNode, to: PeerId, frames: Uint8Array[], options: { prefixed?: boolean } = {}): Promise<Response | undefined> {
  const stream = await from.libp2p.dialProtocol(to, RECORD_PROTOCOL, { signal: AbortSignal.timeout(5000) })
  const lp = lpStream(stream, { maxDataLength: 1 << 20 })
  const signal = AbortSignal.timeout(5000)
  try {
    for (const frame of frames) {
      if (options.prefixed === false) {
        stream.send(frame)
      } else {
        await lp.write(frame, { signal })
      }
    }
    const reply = await lp.read({ signal })
    await stream.close({ signal })
    return Response.decode(reply)
  } catch {
    stream.abort(new Error('test exchange ended'))
    return undefined
  }
}

/** A request encoded for the wire. */
export function encodeRequest (request: Partial<Request>): Uint8Array {
  return Request.encode(request)
}

/** Polls `condition` every 100 ms; fails the test, naming `what`, when it does not hold within `timeout` ms. */
export async function until (what: string, condition: () => Promise<boolean> | boolean, timeout = 30_000): Promise<void> {
  const started = Date.now()
  while (!await condition()) {
    if (Date.now() - started > timeout) throw new Error(`not within ${timeout} ms: ${what}`)
    await new Promise(resolve => setTimeout(resolve, 100))
  }
}

/** id → name of the products `node` holds as a replica. */
export async function heldProducts (node: ProductNode): Promise<Map<string, string>> {
  const names = new Map<string, string>()
  for await (const product of node.localProducts()) names.set(product.id, product.name)
  return names
}
