'use strict';
// 3. Trigger poll cost: one "read past the cursor" (the last 100 examples after a link id, what the Prodigy
//    Trigger asks on every poll) on a dataset of 1k examples vs one of 200k, each in its own database with the
//    same schema and indexes. The baseline is the small dataset: goal ratio ≈ 1 (the poll is an index range
//    read, its cost must not grow with the dataset).
const { fixture } = require('./fixtures');
const { backends, formatCount, formatRatio, formatSeconds, median, now, ratio, seconds, setting, size } = require('./common');

const WINDOW = 100;
const WARMUP = 5;

/**
 * @param {import('../lib/store/index').ProdigyStore} store
 * @param {string} dataset
 * @param {number} afterLinkId
 * @returns {Promise<number>} seconds
 */
async function pollOnce(store, dataset, afterLinkId) {
	const started = now();
	let count = 0;
	for await (const example of store.getExamples(dataset, { afterLinkId, limit: WINDOW })) if (example) count++;
	const elapsed = seconds(started);
	if (count !== WINDOW) throw new Error(`poll read ${count} examples, expected ${WINDOW}`);
	return elapsed;
}

/**
 * @param {import('./common').Lib} lib
 * @param {Awaited<ReturnType<typeof import('./fixtures').fixture>>} fx
 */
async function open(lib, fx) {
	const store = lib.openStore(fx.config);
	const max = await store.maxLinkId([fx.dataset]);
	return { store, dataset: fx.dataset, after: max - WINDOW };
}

/** @type {import('./common').Benchmark['run']} */
async function run({ lib }) {
	const bigN = size('BENCH_POLL_N', 200_000);
	const smallN = Math.max(WINDOW, size('BENCH_POLL_SMALL_N', 1_000));
	const repeats = setting('BENCH_POLL_REPEATS', 50);
	const results = [];
	for (const backend of backends()) {
		const small = await open(lib, await fixture(lib, backend, smallN));
		const big = await open(lib, await fixture(lib, backend, bigN));
		try {
			for (let i = 0; i < WARMUP; i++) {
				await pollOnce(small.store, small.dataset, small.after);
				await pollOnce(big.store, big.dataset, big.after);
			}
			const smallTimes = [];
			const bigTimes = [];
			for (let i = 0; i < repeats; i++) {
				smallTimes.push(await pollOnce(small.store, small.dataset, small.after));
				bigTimes.push(await pollOnce(big.store, big.dataset, big.after));
			}
			const a = median(smallTimes);
			const b = median(bigTimes);
			const value = ratio(b, a);
			results.push({
				name: `poll/${backend}`,
				ratio: value,
				baseline: `the same poll on a dataset of ${formatCount(smallN)} examples`,
				n: bigN,
				small: smallN,
				seconds: b,
				baselineSeconds: a,
				line:
					`poll/${backend}: read ${WINDOW} past the cursor on ${formatCount(bigN)} vs ${formatCount(smallN)} examples ` +
					`${formatRatio(value)} (${formatSeconds(b)} vs ${formatSeconds(a)}, median of ${repeats})`,
			});
		} finally {
			await small.store.close();
			await big.store.close();
		}
	}
	return results;
}

module.exports = { name: 'poll', run };
