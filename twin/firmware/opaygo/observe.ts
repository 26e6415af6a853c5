// Twin-only observables of the OpenPAYGO state, read from the firmware's globals (scenario names `opaygo.*`).
// The OpenPAYGO time is the firmware's: RTC unixtime minus the first-setup time kept in NVRAM (§7.4, §8.1).
import type { FirmwareState } from '../state.ts';

export const OPAYGO_OBSERVABLES = [
  'opaygo.result', 'opaygo.entries', 'opaygo.count', 'opaygo.used', 'opaygo.payg', 'opaygo.days-left',
  'opaygo.lockout', 'opaygo.active',
] as const;
export type OpaygoObservable = (typeof OPAYGO_OBSERVABLES)[number];

const DAY_S = 86400;

/** Value of one `opaygo.*` observable, or undefined for an unknown name or before the first decode (`result`). */
export function observeOpaygo(s: Readonly<FirmwareState>, name: string, rtcUnixtime: number): unknown {
  const now = (rtcUnixtime - s.timeInitializationRtc) >>> 0;
  switch (name) {
    case 'opaygo.result': return s.opaygoEntries > 0 ? s.opaygoLastValue : undefined;
    case 'opaygo.entries': return s.opaygoEntries;
    case 'opaygo.count': return s.TokenCount;
    case 'opaygo.used': return s.UsedTokens;
    case 'opaygo.payg': return s.PAYGEnabled ? 'enabled' : 'disabled';
    case 'opaygo.days-left': return s.ActiveUntil > now ? (s.ActiveUntil - now) / DAY_S : 0;
    case 'opaygo.lockout': return s.TokenEntryLockedUntil > now ? s.TokenEntryLockedUntil - now : 0;
    case 'opaygo.active': {
      let active = true;
      if (s.PAYGEnabled && s.Mode_select === 2) active = !(s.creditt < 1 || s.fault === 1);
      else if (s.PAYGEnabled && s.Mode_select === 3) active = s.ActiveUntil > now;
      return active ? 'yes' : 'no';
    }
    default: return undefined;
  }
}
