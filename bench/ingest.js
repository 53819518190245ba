// @ts-nocheck -- checked from issue 13's next step (this file was being edited on other branches)
'use strict';
// 1. Ingest: store.addExamples of N new tasks (hashing, validation, serialization, dataset creation, examples and
//    links in one transaction) against the driver's own multi-row INSERT of the same rows already hashed and
//    serialized, also in one transaction, into an equally fresh database. Goal (issue): held against the raw bulk
//    insert, i.e. a small constant ratio whatever N.
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

async function timeStore(lib, backend, tasks) {
	const database = await createDatabase(backend);
	const store = lib.openStore(database.config);
	try {
		// Schema and connection first: both sides time the data write alone.
		await store.ensureSchema();
		const started = now();
		const result = await store.addExamples('bench', tasks);
		const elapsed = seconds(started);
		if (result.added !== tasks.length) throw new Error(`addExamples added ${result.added} of ${tasks.length}`);
		return elapsed;
	} finally {
		await store.close();
		await database.drop();
	}
}

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

async function run({ lib }) {
	const n = size('BENCH_INGEST_N', 20_000);
	const rounds = setting('BENCH_ROUNDS', 2);
	const results = [];
	for (const backend of backends()) {
		const storeTimes = [];
		const rawTimes = [];
		const prepTimes = [];
		for (let round = 0; round < rounds; round++) {
			// Fresh objects each round: setHashes never mutates, but nothing may be cached between rounds.
			const tasks = makeTasks(n);
			const fresh = makeTasks(n);
			// The part of the store's work the baseline is given for free: setHashes + serialization to bytes.
			const prepStarted = now();
			const rows = serializeTasks(lib, fresh);
			prepTimes.push(seconds(prepStarted));
			// Alternating the order spreads a noisy neighbour over both sides.
			if (round % 2 === 0) {
				rawTimes.push(await timeRaw(lib, backend, rows));
				storeTimes.push(await timeStore(lib, backend, tasks));
			} else {
				storeTimes.push(await timeStore(lib, backend, tasks));
				rawTimes.push(await timeRaw(lib, backend, rows));
			}
		}
		const storeBest = Math.min(...storeTimes);
		const rawBest = Math.min(...rawTimes);
		const prepBest = Math.min(...prepTimes);
		const value = ratio(storeBest, rawBest);
		// Derived, for reading the ratio: what is left of the store's time once hashing and serializing are taken out.
		const writeOnly = ratio(Math.max(0, storeBest - prepBest), rawBest);
		results.push({
			name: `ingest/${backend}`,
			ratio: value,
			line:
				`ingest/${backend}: store.addExamples ${formatCount(n)} tasks ${formatRatio(value)} raw bulk INSERT ` +
				`(${formatSeconds(storeBest)} vs ${formatSeconds(rawBest)}, best of ${rounds}; ` +
				`${Math.round(n / storeBest)} tasks/s; hashing + serializing alone ${formatSeconds(prepBest)}, ` +
				`the rest ${formatRatio(writeOnly)} raw)`,
		});
	}
	return results;
}

module.exports = { name: 'ingest', run };
