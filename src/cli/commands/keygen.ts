/**
 * `keygen`: a publisher key in a file of its own (Ed25519, mode 0600), for
 * `daemon --publisher-key` and for a closed catalog's `--publishers`.
 */
import { access } from 'node:fs/promises'
import { UsageError } from '../errors.js'
import { createOutput } from '../output.js'
import type { Command } from 'commander'

export function keygenCommand (program: Command): void {
  program.command('keygen')
    .description('make a publisher key file and print its peer id (what --publishers lists)')
    .argument('<file>', 'where to write the key; an existing file is never overwritten')
    .option('--json', 'print the result as JSON', false)
    .action(async (file: string, flags: { json: boolean }) => {
      const exists = await access(file).then(() => true, () => false)
      if (exists) {
        throw new UsageError(`${file} exists: keygen never overwrites a key (move it away, or use it as it is)`)
      }
      const { loadOrCreatePublisherKey, publisherId } = await import('../../store/publisher-key.js')
      const key = await loadOrCreatePublisherKey(file).catch((err: Error) => {
        throw new UsageError(`Cannot write ${file}: ${err.message}`)
      })
      const publisher = publisherId(key).toString()
      createOutput(flags.json).result({ file, publisher }, () => `wrote ${file}\npublisher ${publisher}`)
    })
}
