// A stand-in for a value a before() hook makes: tests written at describe() time hold it as if it were the value
// (`server.requests`, `kernel.execute(…)`), and each use reads the current one. Using it before the hook ran is
// a clear error, not an undefined.
export function lateBound<T extends object>(current: () => T | undefined, what: string): T {
  return new Proxy({} as T, {
    get(_, prop) {
      const target = current();
      if (!target) throw new Error(`${what} is used (.${String(prop)}) before the before() hook that makes it ran`);
      const value = Reflect.get(target, prop) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
