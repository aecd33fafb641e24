import { SnapshotStore } from '../../src/live/snapshot-store';
import type { SessionDetails, SessionId } from '../../src';


function rng(seed: number) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return s / 4294967296;
  };
}
const details = (session: SessionId, v: number): SessionDetails => ({ session, authrole: 'r' + v, authid: 'a' + (session % 3), raw: {} } as SessionDetails);

type Held = { snap: ReadonlyMap<SessionId, SessionDetails>; model: Map<SessionId, SessionDetails>; at: number };

function check(h: Held, r: () => number, keySpace: number, ctx: string) {
  const { snap, model } = h;
  const mode = Math.floor(r() * 8);
  const sortE = (a: [number, unknown], b: [number, unknown]) => a[0] - b[0];
  const exp = [...model.entries()].sort(sortE);
  let got: unknown;
  let want: unknown;
  switch (mode) {
    case 0: {
      const ids = Array.from({ length: 5 }, () => Math.floor(r() * keySpace));
      got = ids.map((id) => snap.get(id)); want = ids.map((id) => model.get(id)); break;
    }
    case 1: {
      const ids = Array.from({ length: 5 }, () => Math.floor(r() * keySpace));
      got = ids.map((id) => snap.has(id)); want = ids.map((id) => model.has(id)); break;
    }
    case 2: got = snap.size; want = model.size; break;
    case 3: got = [...snap.entries()].sort(sortE); want = exp; break;
    case 4: got = [...snap.keys()].sort((a, b) => a - b); want = exp.map((e) => e[0]); break;
    case 5: got = [...snap.values()].map((v) => v.session).sort((a, b) => a - b); want = exp.map((e) => e[0]); break;
    case 6: { const o: [number, SessionDetails][] = []; snap.forEach((v, k) => o.push([k, v])); got = o.sort(sortE); want = exp; break; }
    default: got = [...snap].sort(sortE); want = exp;
  }
  if (JSON.stringify(got) !== JSON.stringify(want)) {
    throw new Error(`${ctx} mode ${mode} snapshot@${h.at}: got ${JSON.stringify(got)?.slice(0, 300)} want ${JSON.stringify(want)?.slice(0, 300)}`);
  }
  // identity of values too
  for (const [k, v] of model) if (snap.get(k) !== v) throw new Error(`${ctx} identity ${k}`);
}

/**
 * Model check: every snapshot ever handed out reads exactly the set as it was when taken (a Map
 * copy), through random sets, deletes, snapshots and reads, with sets smaller and larger than the
 * 64-snapshot chain limit, so the copy-outs (at a read 64 hops behind, for a snapshot held while
 * changes pile up, and every max(64, size) snapshots) all run. Seeded, so a failure reproduces.
 */
describe('snapshot store against a model', () => {
  const configs = [
    { keySpace: 4, steps: 2000 },
    { keySpace: 20, steps: 3000 },
    { keySpace: 70, steps: 4000 },
    { keySpace: 150, steps: 6000 },
    { keySpace: 400, steps: 8000 },
  ];
  for (const { keySpace, steps } of configs) {
    for (let seed = 1; seed <= 5; seed++) {
      test(`${keySpace} ids, seed ${seed}`, () => {
        const r = rng(seed * 7919 + keySpace);
        const store = new SnapshotStore();
        const live = new Map<SessionId, SessionDetails>();
        const held: Held[] = [];
        // different regimes: p(snapshot)
        const pSnap = [0.5, 0.05, 0.005, 0.9, 0.2][seed % 5]!;
        const pRead = [0.05, 0.3, 0.01][seed % 3]!;
        let v = 0;
        for (let i = 0; i < steps; i++) {
          const x = r();
          if (x < pSnap) {
            const s = store.snapshot();
            const prev = held[held.length - 1];
            if (prev && prev.snap === s) {
              // same object: model must be equal
              check(prev, r, keySpace, `same@${i}`);
            } else held.push({ snap: s, model: new Map(live), at: i });
            if (held.length > 400) held.splice(Math.floor(r() * held.length), 1);
          } else if (x < pSnap + pRead && held.length) {
            const h = r() < 0.5 ? held[held.length - 1]! : held[Math.floor(r() * held.length)]!;
            check(h, r, keySpace, `step ${i}`);
          } else {
            const id = Math.floor(r() * keySpace);
            const y = r();
            if (y < 0.35) { store.delete(id); live.delete(id); }
            else { const d = details(id, ++v); store.set(id, d); live.set(id, d); }
          }
          if (store.size !== live.size) throw new Error('live size');
        }
        for (const h of held) check(h, r, keySpace, 'final');
        for (const h of held) { const e = [...h.snap.entries()]; expect(e.length).toBe(h.model.size); expect(new Map(e)).toEqual(h.model); }
      });
    }
  }
});
