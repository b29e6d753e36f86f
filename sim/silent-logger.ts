/**
 * A ComponentLogger that writes nothing. libp2p's default logger builds
 * three `debug` instances per component, and the simulator builds
 * components for thousands of nodes; with logging off they only cost time.
 */
import type { ComponentLogger, Logger } from '@libp2p/interface'

const silent: Logger = Object.assign(() => {}, {
  error: () => {},
  trace: () => {},
  enabled: false,
  newScope: () => silent
})

export const silentLogger: ComponentLogger = { forComponent: () => silent }
