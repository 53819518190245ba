'use strict';
// 1. Ingest: store.addExamples of N new tasks (hashing, validation, serialization, dataset creation, examples and
//    links in one transaction) against two baselines of the same run, each into an equally fresh database:
//    - the driver's own multi-row INSERT of the same rows already hashed and serialized, in one transaction (ratio);
//    - that raw INSERT plus setHashes and JSON.stringify of the same tasks, each timed alone (workRatio): the least
//      work any store must do. Goal (issue 23): ingest/sqlite workRatio <= 1.3x.
// 1b. Ingest, the rest: store.writeExamples of the same tasks already prepared by lib (prepareTask: hashes, one
//    serialisation) against the same raw bulk INSERT: the store's own write overhead, measured, not derived.
const {
	backends,
	collectGarbage,
	createDatabase,
	createSchema,
	formatCount,
	formatRatio,
	formatSeconds,
	makeTasks,
	now,
	ratio,
	rawBulkInsert,
	rawConnection,
	seconds,
	serializeTasks,
	setting,
	size,
} = require('./common');

/**
 * Seconds of wall-clock time and of this process's CPU time (user + system). On SQLite the database works inside
 * this process, so CPU time is its whole cost with the machine's other load left out; on PostgreSQL and MariaDB it
 * leaves out the server's work.
 * @typedef {{ wall: number, cpu: number }} Timing
 */

/** @param {NodeJS.CpuUsage} since */
function cpuSeconds(since) {
	const used = process.cpuUsage(since);
	return (used.user + used.system) / 1e6;
}

/**
 * Times `write(store)` on a fresh database whose schema and connection are ready (both sides time the data write alone).
 * @param {import('./common').Lib} lib
 * @param {import('./common').Backend} backend
 * @param {number} n how many the write must add
 * @param {(store: import('../lib/store/index').ProdigyStore) => Promise<{ added: number }>} write
 * @returns {Promise<Timing>}
 */
async function timeStore(lib, backend, n, write) {
	const database = await createDatabase(backend);
	const store = lib.openStore(database.config);
	try {
		await store.ensureSchema();
		collectGarbage();
		const started = now();
		const cpuStarted = process.cpuUsage();
		const result = await write(store);
		const elapsed = { wall: seconds(started), cpu: cpuSeconds(cpuStarted) };
		if (result.added !== n) throw new Error(`the store added ${result.added} of ${n}`);
		return elapsed;
	} finally {
		await store.close();
		await database.drop();
	}
}

/**
 * @param {import('./common').Lib} lib
 * @param {import('./common').Backend} backend
 * @param {ReturnType<typeof serializeTasks>} rows
 * @returns {Promise<Timing>}
 */
async function timeRaw(lib, backend, rows) {
	const database = await createDatabase(backend);
	const raw = await rawConnection(database);
	try {
		await createSchema(lib, raw, backend);
		collectGarbage();
		const started = now();
		const cpuStarted = process.cpuUsage();
		const { count } = await rawBulkInsert(raw, 'bench', rows);
		const elapsed = { wall: seconds(started), cpu: cpuSeconds(cpuStarted) };
		if (count !== rows.length) throw new Error(`raw insert wrote ${count} of ${rows.length}`);
		return elapsed;
	} finally {
		await raw.close();
		await database.drop();
	}
}

/** The goal of `ingest/sqlite`'s workRatio (issue 23); the other backends print theirs without one. */
const WORK_GOAL = { sqlite: 1.3 };

/**
 * setHashes, then JSON.stringify of the hashed tasks, each timed alone over the same fresh tasks: the hashing and
 * serialising every store must do, at the cheapest JavaScript offers.
 * @param {import('./common').Lib} lib
 * @param {number} n
 * @returns {{ hash: Timing, stringify: Timing }}
 */
function timeWork(lib, n) {
	const tasks = makeTasks(n);
	collectGarbage();
	const hashStarted = now();
	const hashCpu = process.cpuUsage();
	const hashed = tasks.map((task) => lib.setHashes(task));
	const hash = { wall: seconds(hashStarted), cpu: cpuSeconds(hashCpu) };
	collectGarbage();
	const stringifyStarted = now();
	const stringifyCpu = process.cpuUsage();
	let bytes = 0;
	for (const task of hashed) bytes += JSON.stringify(task).length;
	const stringify = { wall: seconds(stringifyStarted), cpu: cpuSeconds(stringifyCpu) };
	if (bytes === 0) throw new Error('JSON.stringify wrote nothing');
	return { hash, stringify };
}

/** @type {import('./common').Benchmark['run']} */
async function run({ lib }) {
	const n = size('BENCH_INGEST_N', 20_000);
	const rounds = setting('BENCH_ROUNDS', 3); // three: each side once first, second and last in the rotation
	const results = [];
	for (const backend of backends()) {
		/** @type {Record<'store' | 'rest' | 'raw' | 'prep' | 'hash' | 'stringify', number[]>} seconds per round */
		const times = { store: [], rest: [], raw: [], prep: [], hash: [], stringify: [] };
		/** @type {Record<'store' | 'raw' | 'hash' | 'stringify', number[]>} CPU seconds per round */
		const cpu = { store: [], raw: [], hash: [], stringify: [] };
		/**
		 * @param {'store' | 'raw' | 'hash' | 'stringify'} side
		 * @param {Timing} timing
		 */
		const record = (side, timing) => {
			times[side].push(timing.wall);
			cpu[side].push(timing.cpu);
		};
		for (let round = 0; round < rounds; round++) {
			// Fresh objects each round: nothing may be cached between rounds.
			const rows = serializeTasks(lib, makeTasks(n));
			const toPrepare = makeTasks(n);
			collectGarbage();
			const prepStarted = now(); // after makeTasks: the line reports preparing alone, not making the tasks
			const prepared = toPrepare.map((task) => lib.prepareTask(task, { contentLimit: null }));
			times.prep.push(seconds(prepStarted));
			const work = timeWork(lib, n);
			record('hash', work.hash);
			record('stringify', work.stringify);
			const sides = [
				async () => record('raw', await timeRaw(lib, backend, rows)),
				async () => {
					const tasks = makeTasks(n);
					record('store', await timeStore(lib, backend, n, (store) => store.addExamples('bench', tasks)));
				},
				async () => times.rest.push((await timeStore(lib, backend, n, (store) => store.writeExamples('bench', prepared))).wall),
			];
			// Rotating the order spreads a noisy neighbour over all sides.
			for (let i = 0; i < sides.length; i++) await sides[(i + round) % sides.length]();
		}
		const best = (/** @type {number[]} */ list) => Math.min(...list);
		const [storeBest, restBest, rawBest, prepBest] = [best(times.store), best(times.rest), best(times.raw), best(times.prep)];
		const [hashBest, stringifyBest] = [best(times.hash), best(times.stringify)];
		const value = ratio(storeBest, rawBest);
		const rest = ratio(restBest, rawBest);
		// The raw side gets hashing and serialisation for free: raw + preparing alone is where the store starts.
		const floor = ratio(rawBest + prepBest, rawBest);
		const workSeconds = rawBest + hashBest + stringifyBest;
		const workRatio = ratio(storeBest, workSeconds);
		const workGoal = WORK_GOAL[/** @type {keyof typeof WORK_GOAL} */ (backend)] ?? null;
		// Only SQLite's CPU time holds the database's work (see Timing).
		const workRatioCpu = backend === 'sqlite' ? ratio(best(cpu.store), best(cpu.raw) + best(cpu.hash) + best(cpu.stringify)) : null;
		const baseline = `raw multi-row INSERT of the same rows (hashed and serialised beforehand) through the driver, one transaction`;
		results.push(
			{
				name: `ingest/${backend}`,
				ratio: value,
				baseline,
				n,
				rounds,
				seconds: storeBest,
				baselineSeconds: rawBest,
				prepareSeconds: prepBest,
				noOverheadRatio: floor,
				workRatio,
				workBaseline: 'the raw INSERT + setHashes + JSON.stringify of the same tasks, each timed alone (best of the rounds)',
				workSeconds,
				hashSeconds: hashBest,
				stringifySeconds: stringifyBest,
				workGoal,
				workRatioCpu,
				// Every round's time of every side: how far one best-of line can be trusted on a shared machine.
				roundSeconds: times,
				roundCpuSeconds: cpu,
				tasksPerSecond: Math.round(n / storeBest),
				line:
					`ingest/${backend}: store.addExamples ${formatCount(n)} tasks ${formatRatio(value)} raw bulk INSERT, ` +
					`${formatRatio(workRatio)} raw + setHashes + JSON.stringify${workGoal === null ? '' : ` (goal <= ${formatRatio(workGoal)})`}` +
					`${workRatioCpu === null ? '' : `, ${formatRatio(workRatioCpu)} in CPU time`} ` +
					`(${formatSeconds(storeBest)} vs ${formatSeconds(rawBest)} raw + ${formatSeconds(hashBest)} setHashes + ${formatSeconds(stringifyBest)} JSON.stringify, ` +
					`best of ${rounds}; ${Math.round(n / storeBest)} tasks/s; ` +
					`lib's prepareTask alone ${formatSeconds(prepBest)}, so a store with no overhead of its own would be ${formatRatio(floor)} raw)`,
			},
			{
				name: `ingest-rest/${backend}`,
				ratio: rest,
				baseline,
				n,
				rounds,
				seconds: restBest,
				baselineSeconds: rawBest,
				line:
					`ingest-rest/${backend}: store.writeExamples of ${formatCount(n)} prepared tasks ${formatRatio(rest)} raw bulk INSERT ` +
					`(${formatSeconds(restBest)} vs ${formatSeconds(rawBest)}, best of ${rounds})`,
			},
		);
	}
	return results;
}

module.exports = { name: 'ingest', run };
