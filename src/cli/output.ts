/**
 * What commands print: JSON for scripts (`--json`), text for people.
 * Results go to stdout, messages about the run to stderr.
 */
export interface Output {
  readonly json: boolean
  /** A command's result: `value` as one JSON line with --json, else `text()`. */
  result(value: unknown, text: () => string): void
  /** A line for people (stderr), left out with --json. */
  info(line: string): void
}

export function createOutput (json: boolean, streams: { out: NodeJS.WritableStream, err: NodeJS.WritableStream } = { out: process.stdout, err: process.stderr }): Output {
  return {
    json,
    result (value, text) {
      streams.out.write(json ? JSON.stringify(value) + '\n' : text() + '\n')
    },
    info (line) {
      if (!json) streams.err.write(line + '\n')
    }
  }
}
