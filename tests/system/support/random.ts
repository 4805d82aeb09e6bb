// Seeded randomness for fault injection: the seed is printed, and SYSTEM_SEED=<seed> replays the same kill points.
const seed = Number(process.env.SYSTEM_SEED ?? Math.floor(Math.random() * 2 ** 31));

/** mulberry32: small, fast, and good enough to spread kill points; not for anything secret. */
function mulberry32(state: number): () => number {
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A seeded integer source in [0, max); `seed` is what to set SYSTEM_SEED to for the same sequence. */
export function seededRandom(label: string): { seed: number; int(max: number): number } {
  const next = mulberry32(seed);
  console.log(`[system] ${label}: random seed ${seed} (SYSTEM_SEED=${seed} replays it)`);
  return { seed, int: (max) => Math.floor(next() * max) };
}
