'use strict';
// 5. Dataset version memory: lib/versions.ts computeVersion(store, dataset) over N vs N/10 examples, each in a
//    fresh process. By design it keeps a 32-byte digest per example (and sorts them at the end), so memory grows
//    by about 32 B per example, never by the examples' size: the line reports the ratio and the bytes each
//    additional example cost (goal: 32-64 B per example, against ~470 B of content each).
const { fixture } = require('./fixtures');
const { measure } = require('./memory');
const { formatBytes, formatCount, formatRatio, formatSeconds, ratio, size } = require('./common');

const FLOOR = 1024 * 1024;

/** @type {import('./common').Benchmark['run']} */
async function run({ lib }) {
	if (typeof lib.versions?.computeVersion !== 'function') {
		return [{ name: 'versions', ratio: null, line: 'versions: skipped (dist/lib/versions.js has no computeVersion)' }];
	}
	const n = size('BENCH_VERSION_N', 200_000);
	const small = Math.max(1, Math.floor(n / 10));
	// An unknown name fails in createDatabase ("unknown backend …").
	const backend = /** @type {import('./common').Backend} */ (process.env.BENCH_VERSION_BACKEND ?? 'sqlite');
	const big = await fixture(lib, backend, n);
	const tenth = await fixture(lib, backend, small);
	const a = await measure({ mode: 'version', config: tenth.config, dataset: tenth.dataset, expected: small });
	const b = await measure({ mode: 'version', config: big.config, dataset: big.dataset, expected: n });
	if (a.count !== small || b.count !== n) throw new Error(`computeVersion saw ${a.count} / ${b.count} examples, expected ${small} / ${n}`);
	const live = ratio(Math.max(b.live, FLOOR), Math.max(a.live, FLOOR));
	const perExample = (b.live - a.live) / (n - small);
	return [
		{
			name: `versions/${backend}`,
			ratio: live,
			baseline: `live memory of computeVersion over ${formatCount(small)} examples (N/10)`,
			n,
			small,
			live: { large: b.live, small: a.live },
			bytesPerExtraExample: Math.round(perExample),
			seconds: b.seconds,
			line:
				`versions/${backend}: computeVersion over ${formatCount(n)} vs ${formatCount(small)} examples: live memory ${formatRatio(live)} ` +
				`(${formatBytes(b.live)} vs ${formatBytes(a.live)}; ${perExample.toFixed(0)} B per extra example), ` +
				`peak heap ${formatBytes(b.peakJs)} vs ${formatBytes(a.peakJs)}, peak RSS ${formatBytes(b.peakRss)} vs ${formatBytes(a.peakRss)}; ` +
				`${formatSeconds(b.seconds)} for ${formatCount(n)}`,
		},
	];
}

module.exports = { name: 'versions', run };
