/**
 * The `product-dht` command: the program, its commands, and the mapping of
 * every failure to a message on stderr and an exit code.
 */
import { Command, CommanderError } from 'commander'
import { PACKAGE_VERSION } from '../package-version.js'
import { daemonCommand } from './commands/daemon.js'
import { exportCommand } from './commands/export.js'
import { importCommand } from './commands/import.js'
import { infoCommands } from './commands/info.js'
import { keygenCommand } from './commands/keygen.js'
import { productCommands } from './commands/products.js'
import { CliError } from './errors.js'
import { EXIT, EXIT_CODES_HELP } from './exit-codes.js'
import type { ExitCode } from './exit-codes.js'

export function createProgram (): Command {
  const program = new Command('product-dht')
    .description('A peer-to-peer store for product metadata: run a node (daemon) and talk to it over its HTTP API')
    .version(PACKAGE_VERSION)
    .showHelpAfterError('(add --help for usage)')
    .addHelpText('after', EXIT_CODES_HELP)
  daemonCommand(program)
  productCommands(program)
  infoCommands(program)
  importCommand(program)
  exportCommand(program)
  keygenCommand(program)
  // every command: commander errors come to main() instead of exiting
  program.exitOverride()
  for (const command of program.commands) {
    command.exitOverride()
  }
  return program
}

/** Runs the CLI with `argv` (process.argv's shape) and resolves to the exit code. */
export async function main (argv: string[]): Promise<ExitCode> {
  const program = createProgram()
  try {
    await program.parseAsync(argv)
    return (process.exitCode as ExitCode | undefined) ?? EXIT.OK
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end this way too, with exit code 0
      return err.exitCode === 0 ? EXIT.OK : EXIT.USAGE
    }
    if (err instanceof CliError) {
      process.stderr.write(`product-dht: ${err.message}\n`)
      return err.exitCode
    }
    process.stderr.write(`product-dht: unexpected failure: ${(err as Error).stack ?? String(err)}\n`)
    return EXIT.INTERNAL
  }
}
