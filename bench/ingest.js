'use strict';
// 1. Ingest: store.addExamples of N new tasks (hashing, validation, serialization, dataset creation, examples and
//    links in one transaction) against the driver's own multi-row INSERT of the same rows already hashed and
//    serialized, also in one transaction, into an equally fresh database. Goal (issue): held against the raw bulk
//    insert, i.e. a small constant ratio whatever N.
// 1b. Ingest, the rest: store.writeExamples of the same tasks already prepared by lib (prepareTask: hashes, one
//    serialisation) against the same raw bulk INSERT: the store's own write overhead, measured, not derived.
const {
	backends,
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
 * Times `write(store)` on a fresh database whose schema and connection are ready (both sides time the data write alone).
 * @param {import('./common').Lib} lib
 * @param {import('./common').Backend} backend
 * @param {number} n how many the write must add
 * @param {(store: import('../lib/store/index').ProdigyStore) => Promise<{ added: number }>} write
 * @returns {Promise<number>} seconds
 */
async function timeStore(lib, backend, n, write) {
	const database = await createDatabase(backend);
	const store = lib.openStore(database.config);
	try {
		await store.ensureSchema();
		const started = now();
		const result = await write(store);
		const elapsed = seconds(started);
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
 * @returns {Promise<number>} seconds
 */
async function timeRaw(lib, backend, rows) {
	const database = await createDatabase(backend);
	const raw = await rawConnection(database);
	try {
		await createSchema(lib, raw, backend);
		const started = now();
		const { count } = await rawBulkInsert(raw, 'bench', rows);
		const elapsed = seconds(started);
		if (count !== rows.length) throw new Error(`raw insert wrote ${count} of ${rows.length}`);
		return elapsed;
	} finally {
		await raw.close();
		await database.drop();
	}
}

/** @type {import('./common').Benchmark['run']} */
async function run({ lib }) {
	const n = size('BENCH_INGEST_N', 20_000);
	const rounds = setting('BENCH_ROUNDS', 3); // three: each side once first, second and last in the rotation
	const results = [];
	for (const backend of backends()) {
		/** @type {Record<'store' | 'rest' | 'raw' | 'prep', number[]>} seconds per round */
		const times = { store: [], rest: [], raw: [], prep: [] };
		for (let round = 0; round < rounds; round++) {
			// Fresh objects each round: nothing may be cached between rounds.
			const rows = serializeTasks(lib, makeTasks(n));
			const toPrepare = makeTasks(n);
			const prepStarted = now(); // after makeTasks: the line reports preparing alone, not making the tasks
			const prepared = toPrepare.map((task) => lib.prepareTask(task, { contentLimit: null }));
			times.prep.push(seconds(prepStarted));
			const sides = [
				async () => times.raw.push(await timeRaw(lib, backend, rows)),
				async () => {
					const tasks = makeTasks(n);
					times.store.push(await timeStore(lib, backend, n, (store) => store.addExamples('bench', tasks)));
				},
				async () => times.rest.push(await timeStore(lib, backend, n, (store) => store.writeExamples('bench', prepared))),
			];
			// Rotating the order spreads a noisy neighbour over all sides.
			for (let i = 0; i < sides.length; i++) await sides[(i + round) % sides.length]();
		}
		const best = (/** @type {number[]} */ list) => Math.min(...list);
		const [storeBest, restBest, rawBest, prepBest] = [best(times.store), best(times.rest), best(times.raw), best(times.prep)];
		const value = ratio(storeBest, rawBest);
		const rest = ratio(restBest, rawBest);
		// The raw side gets hashing and serialisation for free: raw + preparing alone is where the store starts.
		const floor = ratio(rawBest + prepBest, rawBest);
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
				tasksPerSecond: Math.round(n / storeBest),
				line:
					`ingest/${backend}: store.addExamples ${formatCount(n)} tasks ${formatRatio(value)} raw bulk INSERT ` +
					`(${formatSeconds(storeBest)} vs ${formatSeconds(rawBest)}, best of ${rounds}; ${Math.round(n / storeBest)} tasks/s; ` +
					`lib's prepareTask alone ${formatSeconds(prepBest)}, so a store with no overhead of its own would be ${formatRatio(floor)})`,
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
