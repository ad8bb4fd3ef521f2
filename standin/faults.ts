// Injected faults: errors in the protocol's own envelope, delayed answers, reset connections; optionally with a
// probability drawn from a seeded PRNG so a run can be replayed exactly.

import { ApiError, type ServiceName } from './common';
import { Prng } from './limits';

interface FaultMatch {
  /** only this service; any when left out */
  service?: ServiceName;
  /** only this action (operation name); any when left out */
  action?: string;
  /** only requests signed for this region; any when left out */
  region?: string;
  /** only requests signed by a key of this account; any when left out */
  account?: string;
  /** how many matching calls the fault hits; default 1, Infinity allowed. Calls the probability spares don't count. */
  times?: number;
  /** chance (0-1) that a matching call is hit, drawn from the stand-in's seeded PRNG; default 1 */
  probability?: number;
}

/** Answer with this error, in the protocol's own envelope. */
export interface ErrorFault extends FaultMatch {
  kind?: 'error';
  code: string;
  /** HTTP status; default 400 */
  status?: number;
  message?: string;
}

/**
 * Answer late: the call is handled when it arrives (its effect happens) and the answer is held back `ms`
 * milliseconds. Longer than the client's request timeout, it models a hung call whose effect still happened.
 */
export interface DelayFault extends FaultMatch {
  kind: 'delay';
  ms: number;
}

/**
 * Destroy the connection without answering. By default the call is not handled at all; with `applies: true` it
 * is handled first and only the answer is lost.
 */
export interface ResetFault extends FaultMatch {
  kind: 'reset';
  applies?: boolean;
}

export type FaultSpec = ErrorFault | DelayFault | ResetFault;

export type FaultHit =
  | { kind: 'error'; error: ApiError }
  | { kind: 'delay'; ms: number }
  | { kind: 'reset'; applies: boolean };

interface ActiveFault {
  spec: FaultSpec;
  remaining: number;
}

export const DEFAULT_SEED = 1;

export class FaultEngine {
  private faults: ActiveFault[] = [];
  private seed = DEFAULT_SEED;
  private prng = new Prng(DEFAULT_SEED);

  add(spec: FaultSpec): void {
    const times = spec.times ?? 1;
    if (!(times > 0)) throw new Error('standin: injectFault times must be > 0');
    const p = spec.probability ?? 1;
    if (!(p >= 0 && p <= 1)) throw new Error('standin: injectFault probability must be between 0 and 1');
    if (spec.kind === 'delay' && !(spec.ms >= 0 && Number.isFinite(spec.ms))) {
      throw new Error('standin: a delay fault needs a finite ms >= 0');
    }
    this.faults.push({ spec: { ...spec }, remaining: times });
  }

  clear(): void {
    this.faults = [];
  }

  setSeed(seed: number): void {
    if (!Number.isInteger(seed)) throw new Error('standin: setSeed takes an integer');
    this.seed = seed;
    this.prng = new Prng(seed);
  }

  /** Restarts the random sequence from the current seed. */
  reseed(): void {
    this.prng = new Prng(this.seed);
  }

  /** A float in [0, 1) from the seeded sequence. */
  random(): number {
    return this.prng.next();
  }

  /**
   * The fault that hits this call, if any. Faults are tried in the order they were injected; a fault with a
   * probability below 1 draws one number from the PRNG each time it matches, and lets the call pass on a miss.
   */
  hit(service: ServiceName, action: string, region: string, account?: string): FaultHit | undefined {
    for (const f of this.faults) {
      const s = f.spec;
      if (s.action !== undefined && s.action !== action) continue;
      if (s.service !== undefined && s.service !== service) continue;
      if (s.region !== undefined && s.region !== region) continue;
      if (s.account !== undefined && s.account !== account) continue;
      const p = s.probability ?? 1;
      if (p < 1 && !(this.prng.next() < p)) continue;
      f.remaining -= 1;
      if (f.remaining <= 0) this.faults = this.faults.filter((x) => x !== f);
      switch (s.kind) {
        case 'delay':
          return { kind: 'delay', ms: s.ms };
        case 'reset':
          return { kind: 'reset', applies: s.applies === true };
        default:
          return { kind: 'error', error: new ApiError(s.code, s.message ?? `Injected fault: ${s.code}`, s.status ?? 400) };
      }
    }
    return undefined;
  }
}
