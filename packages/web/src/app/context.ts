import { createContext, useContext, useSyncExternalStore } from 'react';
import type { Guardian, GuardianState } from './guardian.js';

export const GuardianContext = createContext<Guardian | null>(null);

export function useGuardian(): [GuardianState, Guardian] {
  const guardian = useContext(GuardianContext);
  if (!guardian) throw new Error('useGuardian needs a GuardianContext provider');
  const state = useSyncExternalStore(guardian.subscribe, guardian.snapshot);
  return [state, guardian];
}
