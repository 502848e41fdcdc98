/**
 * The kill switch's state (GET /risk/status), shared by the shell's halt banner and the admin's
 * kill switch: a halt or resume made here shows at once, and one made on another desk arrives as
 * the `risk_status` socket event (src/lib/realtime.ts), which refetches through `refresh`; the
 * banner's poll stays as the fallback while the socket is down.
 */
import { create } from 'zustand';

import { call, client } from '@/lib/api';
import type { RiskStatus } from '@/lib/api-types';

/**
 * Orders every GET's start and every change made here. Polls, socket events and the tab coming
 * back can overlap: an answer is shown only if nothing newer (a GET started later, or a halt,
 * resume or sign-out since it started) is shown already, whatever order the answers arrive in.
 */
let clock = 0;

export interface RiskState {
  status: RiskStatus | null;
  /** The `clock` reading of what is shown: an answer from a GET started before it is dropped. */
  version: number;
  /** The answer of a halt or resume (or a fresh GET). */
  setStatus: (status: RiskStatus) => void;
  /** GET /risk/status; failures keep what is shown (the next poll tries again). */
  refresh: () => Promise<void>;
  /** GET /risk/status, as `refresh` but a failure is thrown, for a page that shows it. */
  load: () => Promise<void>;
  /** Signed out: forget it. */
  clear: () => void;
}

export const useRiskStore = create<RiskState>()((set, get) => ({
  status: null,
  version: 0,
  setStatus: (status) => set({ status, version: ++clock }),
  async refresh() {
    try {
      await get().load();
    } catch {
      /* keep the last known status */
    }
  },
  async load() {
    const started = ++clock;
    const status = await call(client.GET('/api/v1/risk/status'));
    if (get().version < started) set({ status, version: started });
  },
  clear: () => set({ status: null, version: ++clock }),
}));
