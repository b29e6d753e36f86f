/**
 * `put`, `get` and `delete`: one product through the daemon's API.
 */
import { Option } from 'commander'
import { ApiClient } from '../client.js'
import { CliError, UsageError } from '../errors.js'
import { EXIT } from '../exit-codes.js'
import { parseJson, readInput } from '../input.js'
import { wholeNumber, withClientOptions } from '../options.js'
import { createOutput } from '../output.js'
import type { ClientOptions } from '../options.js'
import type { WriteReceipt } from '../../http/json.js'
import type { Command } from 'commander'

interface WriteFlags extends ClientOptions {
  ifMatch?: number
  ifNoneMatch: boolean
}

function conditionOf (flags: WriteFlags): { ifMatch?: number } {
  if (flags.ifMatch !== undefined && flags.ifNoneMatch) {
    throw new UsageError('Give --if-match or --if-none-match, not both')
  }
  return flags.ifNoneMatch ? { ifMatch: 0 } : { ifMatch: flags.ifMatch }
}

export function clientOf (flags: ClientOptions): ApiClient {
  return new ApiClient({ url: flags.api, token: flags.token, timeout: flags.timeout })
}

function receiptText (verb: string, receipt: WriteReceipt): string {
  return `${verb} ${receipt.id}: version ${receipt.version} on ${receipt.replicas.length} replica${receipt.replicas.length === 1 ? '' : 's'}` +
    (receipt.failed.length > 0 ? ` (${receipt.failed.length} did not acknowledge)` : '')
}

function writeOptions (command: Command): Command {
  return command
    .addOption(new Option('--if-match <version>', 'write only over this version (compare-and-set)').argParser(wholeNumber(1)))
    .option('--if-none-match', 'write only if the product does not exist yet', false)
}

/** The product to put: from the argument, --file, or standard input. */
async function productInput (json: string | undefined, file: string | undefined): Promise<unknown> {
  if (json !== undefined && file !== undefined) {
    throw new UsageError('Give the product as an argument or with --file, not both')
  }
  if (json !== undefined && json !== '-') {
    return parseJson(json, 'The product argument')
  }
  const path = file ?? '-'
  if (path === '-' && process.stdin.isTTY === true) {
    throw new UsageError('Give the product as JSON: an argument, --file <path>, or on standard input')
  }
  return parseJson(await readInput(path), path === '-' ? 'Standard input' : path)
}

export function productCommands (program: Command): void {
  writeOptions(withClientOptions(program.command('put')
    .description('store a product (JSON from the argument, --file, or standard input)')
    .argument('[json]', 'the product as JSON; - or nothing reads standard input')
    .option('-f, --file <path>', 'read the product from a file (- for standard input)')))
    .action(async (json: string | undefined, flags: WriteFlags & { file?: string }) => {
      const product = await productInput(json, flags.file)
      const id = (product as { id?: unknown } | null)?.id
      if (typeof id !== 'string' || id === '') {
        throw new UsageError('The product needs an "id"')
      }
      const receipt = await clientOf(flags).putProduct(id, product, conditionOf(flags))
      createOutput(flags.json).result(receipt, () => receiptText('stored', receipt))
    })

  withClientOptions(program.command('get')
    .description('read a product from its replicas')
    .argument('<id>', 'the product id'))
    .action(async (id: string, flags: ClientOptions) => {
      const output = createOutput(flags.json)
      const read = await clientOf(flags).getProduct(id)
      if (read === undefined) {
        throw new CliError(`No product ${id}`, EXIT.NOT_FOUND)
      }
      output.result(read, () => JSON.stringify(read.product, null, 2))
      output.info(`version ${read.version}${read.publisher === undefined ? '' : `, published by ${read.publisher}`}`)
    })

  writeOptions(withClientOptions(program.command('delete')
    .description('delete a product (a signed tombstone)')
    .argument('<id>', 'the product id')))
    .action(async (id: string, flags: WriteFlags) => {
      const receipt = await clientOf(flags).deleteProduct(id, conditionOf(flags))
      createOutput(flags.json).result(receipt, () => receiptText('deleted', receipt))
    })
}
