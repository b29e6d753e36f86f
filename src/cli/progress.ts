/**
 * Progress of a long run: a bar (cli-progress) when stderr is a terminal,
 * plain lines at every tenth otherwise, nothing when asked for none.
 */
import { SingleBar, Presets } from 'cli-progress'

export interface Progress {
  /** `done` items out of the total, `failed` of them failed */
  update(done: number, failed: number): void
  stop(): void
}

export function createProgress (total: number, label: string, options: { enabled: boolean, stream?: NodeJS.WriteStream }): Progress {
  const stream = options.stream ?? process.stderr
  if (!options.enabled || total === 0) {
    return { update () {}, stop () {} }
  }
  if (stream.isTTY === true) {
    const bar = new SingleBar({
      format: `${label} [{bar}] {percentage}% | {value}/{total} | {failed} failed | {eta}s left`,
      stream,
      hideCursor: true
    }, Presets.shades_classic)
    bar.start(total, 0, { failed: 0 })
    return {
      update (done, failed) { bar.update(done, { failed }) },
      stop () { bar.stop() }
    }
  }
  let shown = 0
  return {
    update (done, failed) {
      // a line at each tenth, and at the end
      const tenth = Math.floor(done * 10 / total)
      if (tenth > shown || done === total) {
        shown = tenth
        stream.write(`${label}: ${done}/${total} (${failed} failed)\n`)
        if (done === total) shown = 11
      }
    },
    stop () {}
  }
}
