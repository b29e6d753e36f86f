/**
 * Errors the CLI reports: each carries the exit code it ends with.
 */
import { EXIT, exitCodeOf } from './exit-codes.js'
import type { ExitCode } from './exit-codes.js'
import type { ErrorBody } from '../http/errors.js'

/**
 * The library's messages name its options (`startAlone: true`, `writeQuorum`);
 * a CLI user sets the daemon's flags instead.
 */
const OPTION_FLAGS: Array<[RegExp, string]> = [
  [/startAlone: true/g, '--start-alone'],
  [/\bwriteQuorum\b/g, '--write-quorum'],
  [/\breadQuorum\b/g, '--read-quorum'],
  [/\breadFanout\b/g, '--read-fanout'],
  [/\breadHedgeDelay\b/g, '--read-hedge-delay'],
  [/\breplicationFactor\b/g, '--replication-factor'],
  [/\bmaintenanceInterval\b/g, '--maintenance-interval'],
  [/\bmaintenanceDelay\b/g, '--maintenance-delay'],
  [/\bmaintenanceRate\b/g, '--maintenance-rate']
]

/** `message` with the library's option names as the daemon's flags. */
export function inFlagTerms (message: string): string {
  return OPTION_FLAGS.reduce((text, [option, flag]) => text.replace(option, flag), message)
}

/** A failure with a message for the user and an exit code. */
export class CliError extends Error {
  static readonly NAME: string = 'CliError'
  override readonly name: string = CliError.NAME
  readonly exitCode: ExitCode

  constructor (message: string, exitCode: ExitCode) {
    super(message)
    this.exitCode = exitCode
  }
}

/** Bad arguments, flags, configuration or input. */
export class UsageError extends CliError {
  static override readonly NAME: string = 'UsageError'
  override readonly name = UsageError.NAME

  constructor (message: string) {
    super(message, EXIT.USAGE)
  }
}

/** The daemon answered with an error; `body` is its JSON error. */
export class ApiError extends CliError {
  static override readonly NAME: string = 'ApiError'
  override readonly name = ApiError.NAME
  readonly status: number
  readonly body: ErrorBody

  constructor (status: number, body: ErrorBody) {
    const issues = body.issues?.map(i => `\n  ${i.field === '' ? '(product)' : i.field}: ${i.message}`).join('') ?? ''
    super(`${body.name}: ${inFlagTerms(body.message)}${issues}`, exitCodeOf(body.name))
    this.status = status
    this.body = body
  }
}

/** No daemon answered at the API's address. */
export class DaemonUnreachableError extends CliError {
  static override readonly NAME: string = 'DaemonUnreachableError'
  override readonly name = DaemonUnreachableError.NAME

  constructor (url: string, reason: string) {
    super(`No daemon answered at ${url} (${reason}). Start one with "product-dht daemon", or point --api (PRODUCT_DHT_API) at one.`, EXIT.UNREACHABLE)
  }
}

/** Stopped by SIGINT or SIGTERM before the command finished. */
export class InterruptedError extends CliError {
  static override readonly NAME: string = 'InterruptedError'
  override readonly name = InterruptedError.NAME

  constructor (message: string) {
    super(message, EXIT.INTERRUPTED)
  }
}
