// What a page built from one version of its data (a rendered table), kept until the database's version of that data
// changes (data_versions, replaced by triggers on every write it shows, from any process) or until the instant the
// output would start to say something untrue about time (a badge's days left). Per process; bounded.

interface Entry<T> {
  value: T;
  /** Epoch ms from which the value is out of date whatever the data. */
  until: number;
}

export class VersionedCache<T> {
  readonly #maxEntries: number;
  #version: string | null = null;
  readonly #entries = new Map<string, Entry<T>>();

  constructor(maxEntries: number) {
    this.#maxEntries = maxEntries;
  }

  /** The value kept for `key` at data version `version`, unless it was built from another version or is out of date. */
  get(version: string, key: string, now: Date): T | undefined {
    if (version !== this.#version) return undefined;
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (now.getTime() >= entry.until) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  /** Keeps `value` for `key`: built from data read after version `version` was read, right until `until`. */
  set(version: string, key: string, value: T, until: Date | null): void {
    if (version !== this.#version) {
      this.#entries.clear();
      this.#version = version;
    }
    this.#entries.delete(key);
    if (this.#entries.size >= this.#maxEntries) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    this.#entries.set(key, { value, until: until?.getTime() ?? Number.POSITIVE_INFINITY });
  }
}
