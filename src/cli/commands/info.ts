/**
 * `status` and `peers`: what the daemon's node is and whom it knows.
 */
import { withClientOptions } from '../options.js'
import { createOutput } from '../output.js'
import { clientOf } from './products.js'
import type { ClientOptions } from '../options.js'
import type { Command } from 'commander'

export function infoCommands (program: Command): void {
  withClientOptions(program.command('status')
    .description("the daemon's node: peer id, addresses to join through, peers, records held, what maintenance did"))
    .action(async (flags: ClientOptions) => {
      const status = await clientOf(flags).status()
      createOutput(flags.json).result(status, () => [
        `peer id          ${status.peerId}`,
        ...status.multiaddrs.map(a => `join via         ${a}`),
        `publisher        ${status.publisher ?? '(none: the node key cannot sign)'}`,
        `connected peers  ${status.connectedPeers}`,
        `record peers     ${status.recordPeers}`,
        `records held     ${status.recordsHeld}`,
        `under-replicated ${status.underReplicated}`,
        ...(status.maintenance.heldBack > 0 || status.maintenance.droppedStale > 0
          ? [`held back        ${status.maintenance.heldBack} (back after the tombstone grace period; ${status.maintenance.droppedStale} dropped as deleted meanwhile)`]
          : []),
        `maintenance      ${status.maintenance.passes} passes, ${status.maintenance.pushed} pushed, ${status.maintenance.pulled} pulled, ${status.maintenance.handedOff} handed off`,
        `uptime           ${status.uptime} s`
      ].join('\n'))
    })

  withClientOptions(program.command('peers')
    .description('the peers the node is connected to'))
    .action(async (flags: ClientOptions) => {
      const peers = await clientOf(flags).peers()
      const output = createOutput(flags.json)
      output.result(peers, () => peers.length === 0
        ? 'no peers'
        : peers.map(p => `${p.peerId}  ${p.recordPeer ? 'record peer' : 'other peer '}  ${p.addresses.join(' ')}`).join('\n'))
    })
}
