/**
 * The time limit of one request, as a signal: it aborts when the clock set
 * with arm() runs out, or when the caller's signal aborts.
 *
 * What it replaces on the hot path, per request and side:
 * `AbortSignal.any([caller, AbortSignal.timeout(ms)])` costs about 23 µs and
 * leaves a timer and a weakly held dependent signal behind until the time is
 * up; an AbortController with one timer costs about 2 µs, and clear() ends
 * both at once. One deadline can be armed again for each step of a request
 * (read, handle, write), each with its own limit.
 */

/** The reason a deadline aborts with by default: what AbortSignal.timeout() aborts with. */
function timeoutError (): DOMException {
  return new DOMException('The operation was aborted due to timeout', 'TimeoutError')
}

export class Deadline {
  private readonly controller = new AbortController()
  private readonly parent?: AbortSignal
  private timer?: ReturnType<typeof setTimeout>
  private readonly onParentAbort = (): void => {
    this.stop(this.parent?.reason)
  }

  /** A deadline that also aborts when `parent` does (not yet armed: arm it). */
  constructor (parent?: AbortSignal) {
    this.parent = parent
    if (parent?.aborted === true) {
      this.controller.abort(parent.reason)
    } else {
      parent?.addEventListener('abort', this.onParentAbort, { once: true })
    }
  }

  get signal (): AbortSignal {
    return this.controller.signal
  }

  /**
   * (Re)starts the clock: the signal aborts `ms` from now, with a
   * TimeoutError or an Error saying `message`. Returns the signal.
   */
  arm (ms: number, message?: string): AbortSignal {
    clearTimeout(this.timer)
    if (!this.controller.signal.aborted) {
      this.timer = setTimeout(() => {
        this.stop(message === undefined ? timeoutError() : new Error(message))
      }, ms)
      // like AbortSignal.timeout(): a pending deadline alone keeps no process alive
      this.timer.unref?.()
    }
    return this.controller.signal
  }

  /** The request is over: cancels the clock and stops listening to the caller's signal. */
  clear (): void {
    clearTimeout(this.timer)
    this.timer = undefined
    this.parent?.removeEventListener('abort', this.onParentAbort)
  }

  private stop (reason: unknown): void {
    this.clear()
    this.controller.abort(reason)
  }
}
