'use strict';
// 2. Export / streaming memory: iterate store.getExamples over a dataset of N examples and over one of N/10, each
//    in a fresh process, and compare the memory each needed. The baseline is the N/10 run: a streamed read holds
//    one page (1000 rows) at a time, so its memory must not grow with the dataset (goal: ratio ≈ 1).
//    "live" is what is still reachable after a forced GC at 10 checkpoints (the true constant-memory test);
//    "peak" is the highest heap + external sampled every 256 rows, garbage included; RSS as the OS sees it.
const { fixture } = require('./fixtures');
const { measure } = require('./memory');
const { backends, formatBytes, formatCount, formatRatio, formatSeconds, ratio, size } = require('./common');

// Below this, growth is allocator noise and a ratio of two noise values says nothing.
const FLOOR = 1024 * 1024;

/**
 * @param {import('./common').Lib} lib
 * @param {import('./common').Backend} backend
 * @param {number} n
 * @param {number} small
 * @returns {Promise<import('./common').BenchResult>}
 */
async function measureBackend(lib, backend, n, small) {
	const big = await fixture(lib, backend, n);
	const tenth = await fixture(lib, backend, small);
	const a = await measure({ mode: 'export', config: tenth.config, dataset: tenth.dataset, expected: small });
	const b = await measure({ mode: 'export', config: big.config, dataset: big.dataset, expected: n });
	if (a.count !== small || b.count !== n) throw new Error(`export read ${a.count} / ${b.count} examples, expected ${small} / ${n}`);
	const live = ratio(Math.max(b.live, FLOOR), Math.max(a.live, FLOOR));
	const peak = ratio(Math.max(b.peakJs, FLOOR), Math.max(a.peakJs, FLOOR));
	const rss = ratio(Math.max(b.peakRss, FLOOR), Math.max(a.peakRss, FLOOR));
	return {
		name: `export/${backend}`,
		ratio: live,
		baseline: `live memory of the same streamed read over ${formatCount(small)} examples (N/10)`,
		n,
		small,
		live: { large: b.live, small: a.live },
		peakHeap: { large: b.peakJs, small: a.peakJs },
		peakRss: { large: b.peakRss, small: a.peakRss },
		seconds: b.seconds,
		line:
			`export/${backend}: getExamples over ${formatCount(n)} vs ${formatCount(small)} examples: live memory ${formatRatio(live)} ` +
			`(${formatBytes(b.live)} vs ${formatBytes(a.live)}), peak heap ${formatRatio(peak)} (${formatBytes(b.peakJs)} vs ` +
			`${formatBytes(a.peakJs)}), peak RSS ${formatRatio(rss)} (${formatBytes(b.peakRss)} vs ${formatBytes(a.peakRss)}); ` +
			`${formatSeconds(b.seconds)} for ${formatCount(n)} (${Math.round(n / b.seconds)} examples/s)`,
	};
}

/** @type {import('./common').Benchmark['run']} */
async function run({ lib }) {
	const n = size('BENCH_EXPORT_N', 200_000);
	const small = Math.max(1, Math.floor(n / 10));
	const results = [];
	for (const backend of backends('BENCH_EXPORT_BACKENDS')) results.push(await measureBackend(lib, backend, n, small));
	return results;
}

module.exports = { name: 'export', run };
