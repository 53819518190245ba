'use strict';
// 6. Export speed: the Dataset node's streamed Export of a dataset of N examples (store.getExamples in link-id
//    order with parseTasks: false, each example's stored bytes plus a newline gathered into ~256 KB chunks, as
//    lib/exportFiles.ts's writer does) against a raw keyset-paged `SELECT content` of the same rows through the same driver,
//    gathered into chunks the same way. Goal (issue): <= 2x. Memory of the same read is benchmark 2 (export/).
const { fixture } = require('./fixtures');
const { backends, formatCount, formatRatio, formatSeconds, now, ratio, rawConnection, seconds, setting, size } = require('./common');

const PAGE = 1000; // the store's default page size
const CHUNK_BYTES = 256 * 1024; // lib/exportFiles.ts's chunk size

/** Gathers pieces into chunks like the Export operation; returns the bytes produced. */
function chunker() {
	/** @type {string[]} */
	let pending = [];
	let pendingBytes = 0;
	let total = 0;
	const flush = () => {
		if (pending.length === 0) return;
		total += Buffer.from(pending.join(''), 'utf8').length;
		pending = [];
		pendingBytes = 0;
	};
	return {
		/** @param {string} piece */
		push(piece) {
			pending.push(piece);
			pendingBytes += piece.length;
			if (pendingBytes >= CHUNK_BYTES) flush();
		},
		end() {
			flush();
			return total;
		},
	};
}

/** @typedef {Awaited<ReturnType<typeof fixture>>} Fixture */

/**
 * @param {import('./common').Lib} lib
 * @param {Fixture} fx
 */
async function timeStore(lib, fx) {
	const store = lib.openStore(fx.config);
	try {
		for await (const example of store.getExamples(fx.dataset, { limit: 10 })) void example; // connect
		const started = now();
		const out = chunker();
		let count = 0;
		for await (const example of store.getExamples(fx.dataset, { parseTasks: false })) {
			out.push(`${example.raw}\n`);
			count++;
		}
		return { elapsed: seconds(started), count, bytes: out.end() };
	} finally {
		await store.close();
	}
}

/** @param {Fixture} fx */
async function timeRaw(fx) {
	const raw = await rawConnection(fx);
	try {
		const [{ id: datasetId }] = await raw.select('SELECT "id" AS id FROM "dataset" WHERE "name" = ?', [fx.dataset]);
		const started = now();
		const out = chunker();
		let count = 0;
		let after = 0;
		for (;;) {
			const rows = await raw.select(
				'SELECT l."id" AS id, e."content" AS content FROM "link" l JOIN "example" e ON e."id" = l."example_id" ' +
					'WHERE l."dataset_id" = ? AND l."id" > ? ORDER BY l."id" LIMIT ?',
				[Number(datasetId), after, PAGE],
			);
			for (const row of rows) {
				out.push(`${Buffer.from(row.content.buffer, row.content.byteOffset, row.content.byteLength).toString('utf8')}\n`);
				count++;
			}
			if (rows.length < PAGE) break;
			after = Number(rows[rows.length - 1].id);
		}
		return { elapsed: seconds(started), count, bytes: out.end() };
	} finally {
		await raw.close();
	}
}

/** @type {import('./common').Benchmark['run']} */
async function run({ lib }) {
	const n = size('BENCH_EXPORT_N', 200_000);
	const rounds = setting('BENCH_EXPORT_SPEED_ROUNDS', 1);
	const results = [];
	for (const backend of backends('BENCH_EXPORT_BACKENDS')) {
		const fx = await fixture(lib, backend, n);
		const storeTimes = [];
		const rawTimes = [];
		for (let round = 0; round < rounds; round++) {
			const a = await timeRaw(fx);
			const b = await timeStore(lib, fx);
			if (a.count !== n || b.count !== n || a.bytes !== b.bytes) {
				throw new Error(`export read ${b.count} examples / ${b.bytes} bytes, the raw read ${a.count} / ${a.bytes}, expected ${n}`);
			}
			rawTimes.push(a.elapsed);
			storeTimes.push(b.elapsed);
		}
		const storeBest = Math.min(...storeTimes);
		const rawBest = Math.min(...rawTimes);
		const value = ratio(storeBest, rawBest);
		results.push({
			name: `export-speed/${backend}`,
			ratio: value,
			baseline: 'raw keyset-paged SELECT content of the same rows through the driver, chunked the same way',
			n,
			rounds,
			seconds: storeBest,
			baselineSeconds: rawBest,
			examplesPerSecond: Math.round(n / storeBest),
			line:
				`export-speed/${backend}: streamed Export of ${formatCount(n)} examples ${formatRatio(value)} raw SELECT content ` +
				`(${formatSeconds(storeBest)} vs ${formatSeconds(rawBest)}, best of ${rounds}; ${Math.round(n / storeBest)} examples/s)`,
		});
	}
	return results;
}

module.exports = { name: 'export-speed', run };
