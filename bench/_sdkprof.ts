import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';
import { SessionMeta } from '../dist/index.mjs';
import { crossbarGetDetails, sessionId } from './crossbar-details';
const n = 100000;
const ids = Array.from({ length: n }, (_, i) => sessionId(i));
const answers = new Map(ids.map((id) => [id, crossbarGetDetails(id)]));
const session: any = { id: 1, isOpen: true, onleave: null,
  call: (p: string, a?: unknown[]) => Promise.resolve(p === 'wamp.session.get' ? answers.get(a![0] as number) : ids.slice()),
  subscribe: () => Promise.resolve({}), unsubscribe: () => Promise.resolve(true) };
const meta = new SessionMeta(session, { callTimeoutMs: 0 });
const sync = async () => { const live = meta.liveSessions(); await live.ready; live.dispose(); };
await sync();
const ins = new Session(); ins.connect();
await ins.post('HeapProfiler.enable');
await ins.post('HeapProfiler.startSampling', { samplingInterval: 1024, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true } as never);
const mode = process.argv[2] ?? 'sdk';
for (let i = 0; i < 3; i++) {
  if (mode === 'sdk') await sync();
  else { const l = (await session.call('wamp.session.list')) as number[]; const m = new Map(); await Promise.all(l.map((id) => session.call('wamp.session.get', [id]).then((d: unknown) => m.set(id, d)))); }
}
const { profile } = await ins.post('HeapProfiler.stopSampling');
const rows = new Map<string, number>();
let total = 0;
const walk = (node: any) => { const k = `${node.callFrame.functionName || '(anon)'} ${node.callFrame.url.replace(/.*wt13\//, '').replace(/.*node_modules\//, '')}:${node.callFrame.lineNumber}`; rows.set(k, (rows.get(k) ?? 0) + node.selfSize); total += node.selfSize; node.children.forEach(walk); };
walk(profile.head);
console.log(mode, 'allocated per session per sync', (total / 3 / n).toFixed(0), 'B');
[...rows].sort((a, b) => b[1] - a[1]).slice(0, 18).forEach(([k, v]) => console.log((v / 3 / n).toFixed(0).padStart(5), k));
