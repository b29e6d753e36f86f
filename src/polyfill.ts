/**
 * libp2p 3 (through it-queue, mortice, yamux and ping) calls
 * `Promise.withResolvers`, which Node 20 lacks. Every entry point imports this
 * module before anything of libp2p's; where the runtime has the method it does
 * nothing.
 */
interface PromiseWithResolversShape<T> {
  promise: Promise<T>
  resolve: (value: T | PromiseLike<T>) => void
  reject: (reason?: unknown) => void
}

const PromiseCtor = Promise as unknown as { withResolvers?: <T>() => PromiseWithResolversShape<T> }

if (typeof PromiseCtor.withResolvers !== 'function') {
  Object.defineProperty(Promise, 'withResolvers', {
    configurable: true,
    writable: true,
    enumerable: false,
    value: function withResolvers<T> (this: PromiseConstructor): PromiseWithResolversShape<T> {
      let resolve!: (value: T | PromiseLike<T>) => void
      let reject!: (reason?: unknown) => void
      // `this` keeps subclass behaviour, as the specification asks
      const promise = new this<T>((res, rej) => { resolve = res; reject = rej })
      return { promise, resolve, reject }
    }
  })
}

export {}
