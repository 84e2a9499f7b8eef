/** Nagios service states: the plugin's exit code and the value of the X-Nagios-Status header. */
export const OK = 0;
export const WARNING = 1;
export const CRITICAL = 2;
export const UNKNOWN = 3;

export type State = typeof OK | typeof WARNING | typeof CRITICAL | typeof UNKNOWN;

export const STATE_NAMES = ['OK', 'WARNING', 'CRITICAL', 'UNKNOWN'] as const;
export type StateName = (typeof STATE_NAMES)[number];

export function stateName(state: State): StateName {
  return STATE_NAMES[state];
}

/** `ok`, `WARNING`, … (any case) as a state, or undefined. */
export function parseState(text: string): State | undefined {
  const i = STATE_NAMES.indexOf(text.trim().toUpperCase() as StateName);
  return i < 0 ? undefined : (i as State);
}

/**
 * Severity for "worst state wins" (monitoring-plugins' max_state_alt): CRITICAL > WARNING > UNKNOWN > OK,
 * so a series that cannot be judged is never hidden behind one that is fine.
 */
const SEVERITY: Record<State, number> = { [OK]: 0, [UNKNOWN]: 1, [WARNING]: 2, [CRITICAL]: 3 };

export function severity(state: State): number {
  return SEVERITY[state];
}

export function worst(states: readonly State[]): State {
  let out: State = OK;
  for (const s of states) if (SEVERITY[s] > SEVERITY[out]) out = s;
  return out;
}

export function mildest(states: readonly State[]): State {
  let out: State | undefined;
  for (const s of states) if (out === undefined || SEVERITY[s] < SEVERITY[out]) out = s;
  return out ?? OK;
}
