// plainjob.mjs -- the reference: plainjob (better-sqlite3) with its own
// worker, processing N pre-enqueued no-op jobs with the same payload as
// the jobq run.  Prints "plainjob <sync> <N> <seconds> <jobs/s>".
//   node plainjob.mjs DB N normal|full
import Database from "better-sqlite3";
import { better, defineQueue, defineWorker } from "plainjob";

const [, , dbPath, nArg, sync] = process.argv;
const N = Number(nArg);
const quiet = { error() {}, warn() {}, info() {}, debug() {} };
const db = new Database(dbPath);
const queue = defineQueue({ connection: better(db), logger: quiet });
// defineQueue sets synchronous = NORMAL; "full" overrides it afterwards.
if (sync === "full") db.pragma("synchronous = FULL");
const pad = "x".repeat(180);
for (let i = 0; i < N; i += 1000) {
  const batch = [];
  for (let k = i; k < Math.min(N, i + 1000); k++) batch.push({ i: k, pad });
  queue.addMany("noop", batch);
}
let done = 0;
let t0 = 0;
const worker = defineWorker("noop", async () => {}, {
  queue,
  logger: quiet,
  onCompleted: () => {
    if (++done === N) {
      const s = (performance.now() - t0) / 1000;
      console.log(`plainjob ${sync} ${N} ${s.toFixed(3)} ${Math.round(N / s)}`);
      worker.stop().then(() => { queue.close(); process.exit(0); });
    }
  },
});
t0 = performance.now();
worker.start();
