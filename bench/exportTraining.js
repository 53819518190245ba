'use strict';
// 6. Export for training at scale: the merged tokens export (read ordered by input hash through the store's
//    temporary key table, merge per input, IOB2 tags, 20 % dev split) over N examples (default 200k; BENCH_TRAINING_N=1000000 for the 1M run), each measurement
//    in a fresh process. Two ratios against baselines measured in the same run:
//    - time: the training export over N vs the plain streamed read (getExamples, what "prodigy db-out" does) over N;
//      the ordered read costs one extra pass over the keys and a sort the database does;
//    - live memory: the training export over N vs over N/10 (goal ≈ 1: nothing grows with the dataset).
const { fixture } = require('./fixtures');
const { measure } = require('./memory');
const { backends, formatBytes, formatCount, formatRatio, formatSeconds, ratio, size } = require('./common');

// Below this, growth is allocator noise and a ratio of two noise values says nothing.
const FLOOR = 1024 * 1024;

/**
 * @param {import('./common').Lib} lib the built library (bench/common.js library())
 * @param {import('./common').Backend} backend
 * @param {number} n
 * @param {number} small
 */
async function measureBackend(lib, backend, n, small) {
	const big = await fixture(lib, backend, n);
	const tenth = await fixture(lib, backend, small);
	// About a millisecond per example on a loaded 2-core machine, with room to spare.
	const timeoutMs = Math.max(10 * 60 * 1000, n * 3);
	const plain = await measure({ mode: 'export', config: big.config, dataset: big.dataset, expected: n, timeoutMs });
	const a = await measure({ mode: 'exportTraining', config: tenth.config, dataset: tenth.dataset, expected: small, timeoutMs });
	const b = await measure({ mode: 'exportTraining', config: big.config, dataset: big.dataset, expected: n, timeoutMs });
	if (plain.count !== n || a.count !== small || b.count !== n) {
		throw new Error(`read ${plain.count} / ${a.count} / ${b.count} examples, expected ${n} / ${small} / ${n}`);
	}
	const time = ratio(b.seconds, plain.seconds);
	const live = ratio(Math.max(b.live, FLOOR), Math.max(a.live, FLOOR));
	const peak = ratio(Math.max(b.peakJs, FLOOR), Math.max(a.peakJs, FLOOR));
	return [
		{
			name: `export-training/${backend}`,
			ratio: time,
			line:
				`export-training/${backend}: merged tokens export with dev split over ${formatCount(n)} examples: ${formatSeconds(b.seconds)} vs ` +
				`${formatSeconds(plain.seconds)} for the plain streamed read, ${formatRatio(time)} (${b.lines} lines, ${b.dev} on the dev side)`,
		},
		{
			name: `export-training-memory/${backend}`,
			ratio: live,
			line:
				`export-training-memory/${backend}: live memory ${formatCount(n)} vs ${formatCount(small)} examples ${formatRatio(live)} ` +
				`(${formatBytes(b.live)} vs ${formatBytes(a.live)}), peak heap ${formatRatio(peak)} (${formatBytes(b.peakJs)} vs ${formatBytes(a.peakJs)}), ` +
				`peak RSS ${formatBytes(b.peakRss)} vs ${formatBytes(a.peakRss)}`,
		},
	];
}

/** @type {import('./common').Benchmark['run']} */
async function run({ lib }) {
	const n = size('BENCH_TRAINING_N', 200_000);
	const small = Math.max(1, Math.floor(n / 10));
	const results = [];
	for (const backend of backends('BENCH_TRAINING_BACKENDS')) results.push(...(await measureBackend(lib, backend, n, small)));
	return results;
}

module.exports = { name: 'export-training', run };
