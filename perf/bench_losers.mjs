// brackets-manager side of perf/bench_losers.py: pairs meeting twice before the grand final in a
// double elimination, mean over random play-outs, and the create + play-out time of 1,024.
// Run from a scratch folder where `npm install brackets-manager brackets-memory-db` was done:
//   NODE_PATH=/tmp/bm/node_modules node perf/bench_losers.mjs [runs] [sizes]
import { createRequire } from 'node:module';
const require = createRequire(process.env.NODE_PATH ? process.env.NODE_PATH + '/' : import.meta.url);
const { BracketsManager } = require('brackets-manager');
const { InMemoryDatabase } = require('brackets-memory-db');

function mulberry32(a) {
  return () => { a |= 0; a = a + 0x6D2B79F5 | 0; let t = Math.imul(a ^ a >>> 15, 1 | a);
    t = t + Math.imul(t ^ t >>> 7, 61 | t) ^ t; return ((t ^ t >>> 14) >>> 0) / 4294967296; };
}

async function playOut(size, seed) {
  const storage = new InMemoryDatabase();
  const manager = new BracketsManager(storage);
  const rng = mulberry32(seed);
  await manager.create.stage({ tournamentId: 0, name: 'bench', type: 'double_elimination',
    seeding: Array.from({ length: size }, (_, i) => `P${i + 1}`), settings: { grandFinal: 'double' } });
  for (;;) {
    const ready = (await storage.select('match')).filter(m => m.status === 2);
    if (!ready.length) break;
    for (const m of ready) {
      const first = rng() < 0.5;
      await manager.update.match({ id: m.id, opponent1: { result: first ? 'win' : 'loss' },
        opponent2: { result: first ? 'loss' : 'win' } });
    }
  }
  return storage;
}

async function rematches(size, seed) {
  const storage = await playOut(size, seed);
  const groups = await storage.select('group');
  const final = Math.max(...groups.map(g => g.number));
  const gfGroup = groups.find(g => g.number === final).id;
  const met = new Map();
  for (const m of await storage.select('match')) {
    if (m.group_id === gfGroup || m.status < 4 || !m.opponent1 || !m.opponent2) continue;
    if (m.opponent1.id == null || m.opponent2.id == null) continue;
    const key = [m.opponent1.id, m.opponent2.id].sort((a, b) => a - b).join('-');
    met.set(key, (met.get(key) || 0) + 1);
  }
  return [...met.values()].filter(c => c > 1).length;
}

const runs = Number(process.argv[2] || 20);
const sizes = (process.argv[3] || '8,16,32,64,128,256,512,1024').split(',').map(Number);
for (const size of sizes) {
  let total = 0;
  for (let run = 0; run < runs; run++) total += await rematches(size, run);
  console.log(`${size}\t${(total / runs).toFixed(2)}`);
}
const times = [];
for (let run = 0; run < 3; run++) {
  const started = process.cpuUsage();
  await playOut(1024, run);
  const used = process.cpuUsage(started);
  times.push((used.user + used.system) / 1000);
}
times.sort((a, b) => a - b);
console.log(`create+play-out 1024: ${times[1].toFixed(0)} ms CPU`);
