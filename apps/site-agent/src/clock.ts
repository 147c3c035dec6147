/** Where services read the time; tests inject a clock that moves only when told. */
export interface Clock {
  now(): Date;
}

export const CLOCK = Symbol('CLOCK');

/** The wall clock. */
export const systemClock: Clock = { now: () => new Date() };
