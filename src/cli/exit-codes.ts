/**
 * The CLI's exit codes, one per kind of failure, so that a script can tell
 * them apart. `product-dht --help` prints this table.
 */
export const EXIT = {
  /** done */
  OK: 0,
  /** an unexpected failure (a bug, or the daemon failed inside) */
  INTERNAL: 1,
  /** bad arguments, flags, configuration or input files */
  USAGE: 2,
  /** no product with that id */
  NOT_FOUND: 3,
  /** the product or request was refused as invalid or too large */
  INVALID: 4,
  /** a version conflict: If-Match failed, or concurrent writers kept overtaking */
  CONFLICT: 5,
  /** a missing or wrong API token, or a key that may not publish the product */
  FORBIDDEN: 6,
  /** the daemon could not be reached */
  UNREACHABLE: 7,
  /** the network could not be asked: too few replicas answered (QuorumError) */
  UNAVAILABLE: 8,
  /** an import or export finished, but some products failed */
  PARTIAL: 9,
  /** the daemon could not start: no bootstrap peer reached, a port in use, … */
  START_FAILED: 10,
  /** stopped by SIGINT or SIGTERM before it finished (an import lists what it did not send) */
  INTERRUPTED: 130
} as const

export type ExitCode = typeof EXIT[keyof typeof EXIT]

export const EXIT_CODES_HELP = `
Exit codes:
  0  done
  1  unexpected failure
  2  bad arguments, flags, configuration or input
  3  no product with that id
  4  product or request refused as invalid or too large
  5  version conflict (If-Match failed, or concurrent writers)
  6  missing or wrong API token, or a key that may not publish the product
  7  the daemon could not be reached
  8  too few replicas answered (QuorumError)
  9  import or export finished with failures
 10  the daemon could not start
130  interrupted (an import lists the products it did not send)`

/** The exit code for an error the API answered with, by its name. */
export function exitCodeOf (name: string): ExitCode {
  switch (name) {
    case 'ProductNotFoundError':
    case 'RouteNotFoundError':
      return EXIT.NOT_FOUND
    case 'InvalidProductError':
    case 'InvalidRequestError':
    case 'InvalidParametersError':
    case 'PayloadTooLargeError':
    case 'RecordTooLargeError':
    case 'UnsupportedMediaTypeError':
      return EXIT.INVALID
    case 'VersionConflictError':
      return EXIT.CONFLICT
    case 'UnauthorizedError':
    case 'NotOwnerError':
    case 'UnauthorizedPublisherError':
      return EXIT.FORBIDDEN
    case 'QuorumError':
    case 'NotStartedError':
      return EXIT.UNAVAILABLE
    default:
      return EXIT.INTERNAL
  }
}
