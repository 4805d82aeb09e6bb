// Time as a dependency: the expiry monitor and anything scheduled read "now" from a Clock, so tests drive them through
// days and weeks by setting a fake clock instead of sleeping.
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock that stays where a test puts it. */
export function fixedClock(start: Date): Clock & { set(date: Date): void } {
  let current = start;
  return {
    now: () => current,
    set: (date: Date) => {
      current = date;
    },
  };
}
