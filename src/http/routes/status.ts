/**
 * `GET /v1/status` (this node: peer id, the addresses others join through,
 * peers, records held) and `GET /v1/peers` (the peers it is connected to).
 */
import type { MaintenanceStats } from '../../types.js'
import type { RouteContext } from '../context.js'
import type { FastifyInstance } from 'fastify'

export interface StatusAnswer {
  peerId: string
  /** the multiaddrs, with `/p2p/<peer id>`, other nodes can bootstrap from */
  multiaddrs: string[]
  /** peer id form of the key this node signs with (absent when its key cannot sign) */
  publisher?: string
  /** peers with an open connection */
  connectedPeers: number
  /** other peers that speak the record protocol, as this node's view has them */
  recordPeers: number
  /** records held as a replica, tombstones included */
  recordsHeld: number
  /** records the last maintenance pass could not confirm on r peers */
  underReplicated: number
  /** what replica maintenance did since the node started */
  maintenance: MaintenanceStats
  /** seconds since the API started */
  uptime: number
}

export interface PeerAnswer {
  peerId: string
  /** the remote addresses of its open connections */
  addresses: string[]
  /** protocols it speaks, as identify told */
  protocols: string[]
  /** whether it speaks the record protocol */
  recordPeer: boolean
}

export function statusRoutes (app: FastifyInstance, context: RouteContext): void {
  const { node, options } = context
  const started = Date.now()

  app.get('/v1/status', async (): Promise<StatusAnswer> => {
    const publisher = node.publisher
    const held = node.status()
    return {
      peerId: node.peerId.toString(),
      multiaddrs: node.getMultiaddrs().map(String),
      ...(publisher === undefined ? {} : { publisher: publisher.toString() }),
      connectedPeers: node.libp2p.getPeers().length,
      recordPeers: node.knownPeers,
      recordsHeld: held.records,
      underReplicated: held.maintenance.underReplicated,
      maintenance: held.maintenance,
      uptime: Math.round((Date.now() - started) / 1000)
    }
  })

  app.get('/v1/peers', async (): Promise<{ peers: PeerAnswer[] }> => {
    const peers = await Promise.all(node.libp2p.getPeers().map(async (peer): Promise<PeerAnswer> => {
      const stored = await node.libp2p.peerStore.get(peer).catch(() => undefined)
      const protocols = [...(stored?.protocols ?? [])].sort()
      return {
        peerId: peer.toString(),
        addresses: [...new Set(node.libp2p.getConnections(peer).map(c => c.remoteAddr.toString()))],
        protocols,
        recordPeer: protocols.includes(options.recordProtocol)
      }
    }))
    return { peers: peers.sort((a, b) => a.peerId < b.peerId ? -1 : 1) }
  })
}
