/** Socket.IO connection state, for the "reconnecting" banner and polling fallbacks. */
import { create } from 'zustand';

export type RealtimeStatus = 'offline' | 'connecting' | 'connected' | 'reconnecting';

export interface RealtimeState {
  status: RealtimeStatus;
  /** Last connection problem, for the banner's tooltip. */
  lastError: string | null;
  setStatus: (status: RealtimeStatus, lastError?: string | null) => void;
}

export const useRealtimeStore = create<RealtimeState>()((set) => ({
  status: 'offline',
  lastError: null,
  setStatus: (status, lastError = null) => set({ status, lastError }),
}));
