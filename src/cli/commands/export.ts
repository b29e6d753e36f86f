/**
 * `export`: products out of the network into a catalog file: those the
 * daemon's node holds, or those with the ids given (read from their replicas).
 */
import { Option } from 'commander'
import { CatalogWriter, chooseFormat } from '../catalog/catalog.js'
import { UsageError } from '../errors.js'
import { EXIT } from '../exit-codes.js'
import { readInput } from '../input.js'
import { wholeNumber, withClientOptions } from '../options.js'
import { createOutput } from '../output.js'
import { createProgress } from '../progress.js'
import { clientOf } from './products.js'
import type { ApiClient } from '../client.js'
import type { ClientOptions } from '../options.js'
import type { Command } from 'commander'

interface ExportFlags extends ClientOptions {
  format?: string
  output: string
  id?: string[]
  ids?: string
  concurrency: number
  progress: boolean
}

/** Ids from --id and from the --ids file (one a line; blank lines and lines starting with # left out). */
async function idsToExport (flags: ExportFlags): Promise<string[] | undefined> {
  if (flags.id === undefined && flags.ids === undefined) return undefined
  const fromFile = flags.ids === undefined ? [] : (await readInput(flags.ids)).split(/\r?\n/).map(line => line.trim()).filter(line => line !== '' && !line.startsWith('#'))
  return [...new Set([...(flags.id ?? []), ...fromFile])]
}

export function exportCommand (program: Command): void {
  withClientOptions(program.command('export')
    .description("export products into a catalog file: those the daemon's node holds, or those with the ids given")
    .addOption(new Option('-o, --output <file>', 'where to write; - is standard output').default('-'))
    .addOption(new Option('--format <format>', 'jsonl, csv or jsonld (default: from the output name; jsonl on standard output)'))
    .addOption(new Option('--id <id...>', 'export these products (read from their replicas)'))
    .option('--ids <file>', 'a file of ids to export, one a line (- reads standard input)')
    .addOption(new Option('--concurrency <n>', 'reads in flight at once, with ids').argParser(wholeNumber(1, 64)).default(8))
    .option('--no-progress', 'no progress bar or progress lines'))
    .action(async (flags: ExportFlags) => {
      const output = createOutput(flags.json)
      // standard output has no name to tell a format by: JSON Lines, one product a line
      const format = flags.output === '-' && flags.format === undefined ? 'jsonl' : chooseFormat(flags.output, flags.format)
      if (flags.output === '-' && flags.json) {
        throw new UsageError('--json prints a summary on standard output: give --output <file> for the catalog')
      }
      const ids = await idsToExport(flags)
      const client = clientOf(flags)
      const writer = new CatalogWriter(flags.output, format)
      let missing: string[] = []
      try {
        if (ids === undefined) {
          for await (const product of client.heldProducts()) {
            await writer.write(product)
          }
        } else {
          missing = await exportIds(client, ids, writer, flags)
        }
      } finally {
        await writer.end()
      }
      const summary = { exported: writer.count, missing, output: flags.output, format }
      if (flags.output !== '-' || flags.json) {
        output.result(summary, () => `exported ${writer.count} products to ${flags.output} (${format})` + (missing.length > 0 ? `; not found: ${missing.join(', ')}` : ''))
      } else if (missing.length > 0) {
        process.stderr.write(`not found: ${missing.join(', ')}\n`)
      }
      if (missing.length > 0) {
        process.exitCode = EXIT.PARTIAL
      }
    })
}

/** Reads each id (a few at once) and writes what it finds, in the order given; resolves to the ids not found. */
async function exportIds (client: ApiClient, ids: string[], writer: CatalogWriter, flags: ExportFlags): Promise<string[]> {
  const missing: string[] = []
  const progress = createProgress(ids.length, 'export', { enabled: flags.progress && flags.output !== '-' && !flags.json })
  const reads = new Map<number, ReturnType<ApiClient['getProduct']>>()
  let started = 0
  const startUpTo = (limit: number): void => {
    while (started < ids.length && started < limit) {
      const read = client.getProduct(ids[started])
      // settled below, in order; a rejection is handled there
      read.catch(() => {})
      reads.set(started, read)
      started++
    }
  }
  try {
    for (let index = 0; index < ids.length; index++) {
      startUpTo(index + flags.concurrency)
      const read = await reads.get(index)!
      reads.delete(index)
      if (read === undefined) missing.push(ids[index])
      else await writer.write(read.product)
      progress.update(index + 1, missing.length)
    }
  } finally {
    progress.stop()
  }
  return missing
}
