'use strict';
// Pre-filled databases for the read benchmarks: one database per (backend, size) holding one dataset `bench`,
// written with the raw bulk insert (fast, and not what is being measured). Shared by the benchmarks of one run,
// dropped at its end.
const { createDatabase, createSchema, makeTasks, rawConnection, serializeTasks, ROWS_PER_STATEMENT } = require('./common');

const DATASET = 'bench';
const CHUNK = 10_000;
const cache = new Map();

/**
 * @param {import('./common').Lib} lib
 * @param {import('./common').Backend} backend
 * @param {number} count
 */
async function fill(lib, backend, count) {
	const database = await createDatabase(backend);
	const raw = await rawConnection(database);
	try {
		await createSchema(lib, raw, backend);
		await raw.begin();
		const [datasetId] = await raw.insert('dataset', ['name', 'created', 'meta', 'session'], [[DATASET, 1_700_000_000, Buffer.from('{}'), 0]]);
		await raw.commit();
		// Chunked transactions keep the serialized rows of a large fixture out of memory all at once.
		for (let offset = 0; offset < count; offset += CHUNK) {
			const rows = serializeTasks(lib, makeTasks(Math.min(CHUNK, count - offset), offset));
			await raw.begin();
			const exampleIds = [];
			for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
				const chunk = rows.slice(i, i + ROWS_PER_STATEMENT).map((row) => [row.inputHash, row.taskHash, row.content]);
				exampleIds.push(...(await raw.insert('example', ['input_hash', 'task_hash', 'content'], chunk)));
			}
			for (let i = 0; i < exampleIds.length; i += ROWS_PER_STATEMENT) {
				await raw.insert('link', ['example_id', 'dataset_id'], exampleIds.slice(i, i + ROWS_PER_STATEMENT).map((id) => [id, datasetId]));
			}
			await raw.commit();
		}
		// Planner statistics as autovacuum / InnoDB would have them a minute after the load, so the read
		// benchmarks see the plans a settled database gets, not the plans of a table the planner thinks is empty.
		if (backend === 'postgres') await raw.exec('ANALYZE');
		if (backend === 'mysql') await raw.exec('ANALYZE TABLE `example`, `link`, `dataset`');
	} finally {
		await raw.close();
	}
	return { ...database, dataset: DATASET, count };
}

/**
 * The database of `count` examples on `backend` (filled once per run).
 * @param {import('./common').Lib} lib
 * @param {import('./common').Backend} backend
 * @param {number} count
 * @returns {ReturnType<typeof fill>}
 */
function fixture(lib, backend, count) {
	const key = `${backend}:${count}`;
	let pending = cache.get(key);
	if (!pending) {
		pending = fill(lib, backend, count);
		cache.set(key, pending);
	}
	return pending;
}

module.exports = { fixture, DATASET };
