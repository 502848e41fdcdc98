/**
 * The kill switch's state (GET /risk/status), shared by the shell's halt banner and the admin's
 * kill switch: a halt or resume made here shows at once, without waiting for the banner's poll.
 */
import { create } from 'zustand';

import { api } from '@/lib/api';
import type { RiskStatus } from '@/lib/api-types';

export interface RiskState {
  status: RiskStatus | null;
  /** Bumped by every change; a GET that started before a change does not overwrite it. */
  version: number;
  /** The answer of a halt or resume (or a fresh GET). */
  setStatus: (status: RiskStatus) => void;
  /** GET /risk/status; failures keep what is shown (the next poll tries again). */
  refresh: () => Promise<void>;
  /** Signed out: forget it. */
  clear: () => void;
}

export const useRiskStore = create<RiskState>()((set, get) => ({
  status: null,
  version: 0,
  setStatus: (status) => set((s) => ({ status, version: s.version + 1 })),
  async refresh() {
    const started = get().version;
    try {
      const status = await api.get<RiskStatus>('/risk/status');
      // A halt/resume answered while this GET was in flight is newer than what it read.
      if (get().version === started) get().setStatus(status);
    } catch {
      /* keep the last known status */
    }
  },
  clear: () => set((s) => ({ status: null, version: s.version + 1 })),
}));
