/**
 * The ComponentLogger a node's libp2p host gets. Lines carry the same names
 * as `peerLogger` from `@libp2p/logger` (the node's short peer id first, so
 * that many nodes in one process can be told apart), but a namespace that no
 * DEBUG pattern enables gets a logger of plain no-ops.
 *
 * Why not `peerLogger` itself: it builds three `debug` instances for every
 * logger, enabled or not, and libp2p makes loggers per connection and per
 * stream (`newScope`). With logging off, that was about a tenth of the heap a
 * node with 40 connections holds.
 *
 * Which namespaces are enabled is read when a logger is made: enable DEBUG
 * (or call `enable()` from `@libp2p/logger`) before the node is created.
 */
import { enabled, logger } from '@libp2p/logger'
import type { ComponentLogger, Logger, PeerId } from '@libp2p/interface'

const nothing = (): void => {}

/** True when DEBUG (or `enable()`) turns on any of the namespace's three levels. */
function anyLevelEnabled (namespace: string): boolean {
  return enabled(namespace) || enabled(`${namespace}:error`) || enabled(`${namespace}:trace`)
}

/** A logger that writes nothing; its scopes are checked again, as a pattern may enable a scope only. */
function silentLogger (namespace: string): Logger {
  return Object.assign((): void => {}, {
    enabled: false,
    error: nothing,
    trace: nothing,
    newScope: (name: string) => loggerFor(`${namespace}:${name}`)
  })
}

function loggerFor (namespace: string): Logger {
  return anyLevelEnabled(namespace) ? logger(namespace) : silentLogger(namespace)
}

/** `12…ABCD`: the first two and the last four characters of the peer id, as peerLogger writes it. */
function shortPeerId (peerId: PeerId): string {
  const id = peerId.toString()
  return `${id.slice(0, 2)}…${id.slice(-4)}`
}

/** Loggers for one node's components, each namespace prefixed with the node's short peer id. */
export function nodeLogger (peerId: PeerId): ComponentLogger {
  const prefix = shortPeerId(peerId)
  return {
    forComponent: (name: string) => loggerFor(`${prefix}:${name}`)
  }
}
