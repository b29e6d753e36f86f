/**
 * `import`: a catalog file into the network through the daemon, in batches,
 * a few at once. Products that fail (invalid, refused, or not reached) go
 * to a failure file, which a second run takes as its input.
 */
import { writeFile } from 'node:fs/promises'
import { Option } from 'commander'
import { chooseFormat, readCatalog } from '../catalog/catalog.js'
import { CliError, InterruptedError } from '../errors.js'
import { EXIT } from '../exit-codes.js'
import { wholeNumber, withClientOptions } from '../options.js'
import { createOutput } from '../output.js'
import { createProgress } from '../progress.js'
import { clientOf } from './products.js'
import type { ErrorBody } from '../../http/errors.js'
import type { ApiClient } from '../client.js'
import type { CatalogItem } from '../catalog/items.js'
import type { ClientOptions } from '../options.js'
import type { Command } from 'commander'

interface ImportFlags extends ClientOptions {
  format?: string
  concurrency: number
  batchSize: number
  failures?: string
  retries: number
  progress: boolean
}

/** One line of a failure file: where the product stood, why it failed, and the product to try again. */
interface FailureLine {
  source: string
  error: ErrorBody
  product?: Record<string, unknown>
}

export interface ImportSummary {
  total: number
  succeeded: number
  failed: number
  /** the failure file, when any product failed */
  failures?: string
}

/** Errors of the moment (replicas busy or slow): the product goes out again in a later batch. */
const RETRYABLE = new Set(['QuorumError', 'TimeoutError'])

/** Errors after which no further batch can succeed: stop sending. */
const FATAL = new Set(['DaemonUnreachableError', 'UnauthorizedError'])

export function importCommand (program: Command): void {
  withClientOptions(program.command('import')
    .description('import a catalog (JSON Lines, CSV, or schema.org Product JSON-LD, also in HTML pages) through the daemon')
    .argument('<file>', 'the catalog; - reads standard input (then give --format)')
    .addOption(new Option('--format <format>', 'jsonl, csv or jsonld (default: from the file name; .html pages are jsonld)'))
    .addOption(new Option('--concurrency <n>', 'batches in flight at once').argParser(wholeNumber(1, 64)).default(4))
    .addOption(new Option('--batch-size <n>', 'products per request').argParser(wholeNumber(1, 1000)).default(50))
    .option('--failures <file>', 'where to write the products that failed (default: <file>.failures.jsonl)')
    .addOption(new Option('--retries <n>', 'times a product that met too few replicas is sent again').argParser(wholeNumber(0, 10)).default(2))
    .option('--no-progress', 'no progress bar or progress lines'))
    .addHelpText('after', '\nA failure file holds one JSON object a line ({ source, error, product }); import it to try those products again.')
    .action(async (file: string, flags: ImportFlags) => {
      const output = createOutput(flags.json)
      const format = chooseFormat(file, flags.format)
      const items = await readCatalog(file, format)
      const failuresPath = flags.failures ?? `${file === '-' ? 'import' : file}.failures.jsonl`
      output.info(`importing ${items.length} products from ${file === '-' ? 'standard input' : file} (${format}) through ${flags.api}`)
      const { summary, fatal } = await importItems(clientOf(flags), items, flags, failuresPath)
      output.result(summary, () => `imported ${summary.succeeded} of ${summary.total} products` +
        (summary.failed > 0 ? `; ${summary.failed} failed, listed in ${summary.failures} (import that file to try them again)` : ''))
      if (fatal !== undefined) {
        throw fatal
      }
      if (summary.failed > 0) {
        process.exitCode = EXIT.PARTIAL
      }
    })
}

async function importItems (client: ApiClient, items: CatalogItem[], flags: ImportFlags, failuresPath: string): Promise<{ summary: ImportSummary, fatal?: CliError }> {
  const failures: FailureLine[] = []
  const readable = items.filter(item => {
    if (item.product === undefined) failures.push({ source: item.source, error: item.error! })
    return item.product !== undefined
  })
  // products in the order of the file; one that meets an error of the moment goes to the back, at most `retries` times
  const queue = readable.map(item => ({ item, attempts: 0 }))
  let succeeded = 0
  let fatal: CliError | undefined
  const progress = createProgress(items.length, 'import', { enabled: flags.progress && !flags.json })
  const report = (): void => { progress.update(succeeded + failures.length, failures.length) }
  report()
  const failed = (entry: { item: CatalogItem, attempts: number }, error: ErrorBody): void => {
    if (RETRYABLE.has(error.name) && entry.attempts < flags.retries && fatal === undefined) {
      queue.push({ item: entry.item, attempts: entry.attempts + 1 })
    } else {
      failures.push({ source: entry.item.source, error, product: entry.item.product })
    }
  }
  // Ctrl-C: send nothing more, let the batches on the wire finish, and list the rest as failed
  const interrupt = (signal: NodeJS.Signals): void => {
    fatal ??= new InterruptedError(`${signal}: stopped before the end; the products not imported are in the failure file`)
  }
  process.once('SIGINT', interrupt)
  process.once('SIGTERM', interrupt)
  let inFlight = 0
  const worker = async (): Promise<void> => {
    // a worker that finds the queue empty while others still send waits for what they may give back
    while (fatal === undefined && (queue.length > 0 || inFlight > 0)) {
      if (queue.length === 0) {
        await new Promise(resolve => setTimeout(resolve, 50))
        continue
      }
      const batch = queue.splice(0, flags.batchSize)
      inFlight++
      try {
        const answer = await client.putBatch(batch.map(entry => entry.item.product))
        answer.results.forEach((result, index) => {
          if (result.ok) succeeded++
          else failed(batch[index], result.error)
        })
      } catch (err) {
        const error = err as CliError & { body?: ErrorBody }
        if (FATAL.has(error.name) || FATAL.has(error.body?.name ?? '')) fatal ??= error
        for (const entry of batch) failed(entry, error.body ?? { name: error.name, message: error.message })
      } finally {
        inFlight--
      }
      report()
    }
  }
  try {
    await Promise.all(Array.from({ length: Math.min(flags.concurrency, Math.ceil(queue.length / flags.batchSize)) }, worker))
  } finally {
    process.off('SIGINT', interrupt)
    process.off('SIGTERM', interrupt)
    progress.stop()
  }
  // what a fatal error left unsent is as failed as what was refused
  for (const entry of queue) {
    failures.push({ source: entry.item.source, error: { name: fatal!.name, message: fatal!.message }, product: entry.item.product })
  }
  if (failures.length > 0) {
    await writeFile(failuresPath, failures.map(line => JSON.stringify(line) + '\n').join(''))
  }
  return {
    summary: { total: items.length, succeeded, failed: failures.length, ...(failures.length > 0 ? { failures: failuresPath } : {}) },
    fatal
  }
}
