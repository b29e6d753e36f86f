// Preloaded by a profiled bench run (see bench/cpu-profile.ts): writes the
// monotonic time in µs (the clock of a .cpuprofile) and the text of every
// stderr line to the file named by MARKS, so that the summary can be narrowed
// to one phase of the run.
import { appendFileSync } from 'node:fs'

const file = process.env.MARKS
if (file !== undefined && file !== '') {
  const write = process.stderr.write.bind(process.stderr)
  process.stderr.write = (chunk, ...rest) => {
    appendFileSync(file, `${process.hrtime.bigint() / 1000n}\t${String(chunk).trimEnd()}\n`)
    return write(chunk, ...rest)
  }
}
