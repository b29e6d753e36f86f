/**
 * Simulated time, counted in hops: every request takes one hop to come back
 * answered (or failed). Requests sent in parallel share their hop, so the
 * time an operation took is its number of sequential round trips.
 *
 * The code under test is promise-based with no timers on these paths, so
 * "everything that can happen now has happened" is "the microtask queue is
 * empty": a macrotask turn (setImmediate) waits for that before the clock
 * moves on.
 */
import { setImmediate as nextTurn } from 'node:timers/promises'

/** A request on its way: what answers it, and whom to tell. */
interface InFlight {
  deliver: () => Promise<unknown>
  resolve: (value: unknown) => void
  reject: (reason: unknown) => void
}

export class HopClock {
  private current = 0
  /** requests answered at the next hop */
  private due: InFlight[] = []

  get now (): number {
    return this.current
  }

  /** Runs `deliver` one hop from now; the promise settles with what it settles with. */
  async afterHop <T> (deliver: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.due.push({ deliver, resolve: resolve as (value: unknown) => void, reject })
    })
  }

  /**
   * Moves the clock on, one hop at a time, until nothing is in flight. The
   * answers of one hop are all computed before any is handed back, and then
   * handed back in the order the requests were sent: which answer comes
   * first must not depend on how much work the simulator did to compute it.
   */
  async runUntilIdle (): Promise<void> {
    await nextTurn()
    while (this.due.length > 0) {
      const arriving = this.due
      this.due = []
      this.current++
      const answers = await Promise.allSettled(arriving.map(async request => request.deliver()))
      answers.forEach((answer, i) => {
        if (answer.status === 'fulfilled') arriving[i].resolve(answer.value)
        else arriving[i].reject(answer.reason)
      })
      await nextTurn()
    }
  }

  /**
   * Runs `operation` to the end of everything it set off (read repair
   * included) and returns its value with the hop at which it settled.
   * Throws when it waits on something no simulated request will bring.
   */
  async measure <T> (operation: () => Promise<T>): Promise<{ value: T, startedAt: number, settledAt: number }> {
    const startedAt = this.current
    let settledAt: number | undefined
    let outcome: { value: T } | { error: unknown } | undefined
    void operation().then(
      value => { settledAt = this.current; outcome = { value } },
      (error: unknown) => { settledAt = this.current; outcome = { error } })
    await this.runUntilIdle()
    if (outcome === undefined || settledAt === undefined) {
      throw new Error('the operation waits on something outside the simulated network (a timer?)')
    }
    if ('error' in outcome) throw outcome.error
    return { value: outcome.value, startedAt, settledAt }
  }
}
