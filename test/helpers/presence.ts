/** Shared by the presence tests: the prefix they use and a relay's state as a test writes it. */
import type { PresenceEntry } from '../../src';

export const PREFIX = 'com.example.presence';

/** What a relay's `get_state` answers (the wire protocol's shape), mutable for a test's script. */
export interface RelayState {
  epoch: string;
  seq: number;
  heartbeatMs: number;
  stale: boolean;
  sessions: PresenceEntry[];
}
