#!/usr/bin/env node
'use strict';
// `npm run bench`: every benchmark prints one line with a ratio against a baseline measured in this same run, then
// a summary. Benchmarks report, they do not judge: exit 0 whatever the numbers, exit 1 only if one crashed.
// Results also go to bench/results/latest.json (see writeResults).
// Env: BENCH_SCALE (multiplies every default size), BENCH_ONLY=hashing,ingest,export,export-speed,versions,poll,export-training,
// BENCH_BACKENDS=sqlite,postgres,mysql, per-benchmark sizes (see README, Benchmarks), BENCH_BUILD=0|1.
const { spawnSync } = require('node:child_process');
const { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } = require('node:fs');
const { cpus, loadavg } = require('node:os');
const { join } = require('node:path');

const { DIST, ROOT, dropAll, library } = require('./common');

const BENCHMARKS = [
	require('./hashing'),
	require('./ingest'),
	require('./export'),
	require('./exportSpeed'),
	require('./versions'),
	require('./poll'),
	require('./exportTraining'),
];
const RESULTS_FILE = join(ROOT, 'bench', 'results', 'latest.json');

/**
 * bench/results/latest.json (git-ignored): every result by name with its ratio, what the ratio is against and the
 * measurements behind it, so a run can be compared or charted without parsing the printed lines.
 * @param {import('./common').BenchResult[]} results
 * @param {string[]} crashed names of the benchmarks that threw
 * @param {Record<string, unknown>} meta the machine and settings of this run
 */
function writeResults(results, crashed, meta) {
	/** @type {Record<string, Omit<import('./common').BenchResult, 'name' | 'line'>>} */
	const byName = {};
	for (const { name, line, ...data } of results) byName[name] = data;
	mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
	writeFileSync(RESULTS_FILE, `${JSON.stringify({ ...meta, crashed, results: byName }, null, 2)}\n`);
}

/**
 * @param {string} dir
 * @returns {number} the newest mtime (ms) of the .ts files under `dir`
 */
function newestSource(dir) {
	let newest = 0;
	for (const entry of readdirSync(dir, { withFileTypes: true })) {
		const path = join(dir, entry.name);
		if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
		else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
	}
	return newest;
}

/** Benchmarks measure the built library: build dist/ when it is missing or older than lib/ (BENCH_BUILD=0|1). */
function ensureBuilt() {
	const entry = join(DIST, 'store', 'index.js');
	const wanted = process.env.BENCH_BUILD;
	const stale = !existsSync(entry) || statSync(entry).mtimeMs < newestSource(join(ROOT, 'lib'));
	if (wanted === '0' || (wanted !== '1' && !stale)) return;
	console.log(`building dist/ (${existsSync(entry) ? 'older than lib/' : 'missing'}) with tsc -p tsconfig.json ...`);
	// In place and without cleaning first: others may be using dist/ right now.
	const result = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], {
		cwd: ROOT,
		stdio: 'inherit',
	});
	if (result.status !== 0) {
		if (!existsSync(entry)) throw new Error('tsc failed and dist/lib is missing: run `npm run build` and fix its errors');
		console.log('warning: tsc reported errors; benchmarking what it emitted');
	}
}

async function main() {
	const only = (process.env.BENCH_ONLY ?? '').split(',').map((name) => name.trim()).filter(Boolean);
	const unknown = only.filter((name) => !BENCHMARKS.some((bench) => bench.name === name));
	if (unknown.length > 0) throw new Error(`BENCH_ONLY: unknown benchmark(s) ${unknown.join(', ')}`);
	ensureBuilt();
	const lib = library();
	const load = loadavg().map((value) => value.toFixed(2)).join(' ');
	console.log(`node ${process.versions.node}, ${cpus().length} cores, load average ${load}, BENCH_SCALE=${process.env.BENCH_SCALE ?? 1}`);

	/** @type {import('./common').BenchResult[]} */
	const results = [];
	/** @type {string[]} */
	const crashed = [];
	const started = Date.now();
	for (const bench of BENCHMARKS) {
		if (only.length > 0 && !only.includes(bench.name)) continue;
		const benchStarted = Date.now();
		try {
			for (const result of await bench.run({ lib })) {
				console.log(result.line);
				results.push(result);
			}
		} catch (error) {
			crashed.push(bench.name);
			console.log(`${bench.name}: CRASHED: ${(error instanceof Error && error.stack) || error}`);
		}
		if (process.env.BENCH_VERBOSE) console.log(`  (${bench.name} took ${((Date.now() - benchStarted) / 1000).toFixed(1)}s)`);
	}
	const failures = await dropAll();
	for (const failure of failures) console.log(`warning: could not drop a bench database (${failure})`);

	writeResults(results, crashed, {
		node: process.versions.node,
		date: new Date().toISOString(),
		cores: cpus().length,
		loadAverage: { start: load, end: loadavg().map((value) => value.toFixed(2)).join(' ') },
		seconds: Math.round((Date.now() - started) / 1000),
		settings: Object.fromEntries(Object.entries(process.env).filter(([key]) => key.startsWith('BENCH_'))),
	});
	console.log(`results: ${RESULTS_FILE}`);

	const times = (/** @type {number} */ value) => `${Number.isFinite(value) ? value.toFixed(2) : 'inf'}x`;
	// ingest's workRatio (against raw + setHashes + JSON.stringify) is the one its goal is about: printed beside.
	const ratios = results.flatMap(({ name, ratio, workRatio }) =>
		typeof ratio === 'number' ? [`${name} ${times(ratio)}${typeof workRatio === 'number' ? ` (work ${times(workRatio)})` : ''}`] : [],
	);
	console.log(
		`summary: ${results.length} results, ${crashed.length} crashed${crashed.length ? ` (${crashed.join(', ')})` : ''}, ` +
			`${((Date.now() - started) / 1000).toFixed(0)}s, load average ${loadavg().map((value) => value.toFixed(2)).join(' ')}; ${ratios.join(', ')}`,
	);
	return crashed.length === 0 ? 0 : 1;
}

let cleaning = false;
// Ctrl-C, or a `timeout` / CI job limit (SIGTERM): drop the bench databases before going.
for (const [signal, code] of /** @type {const} */ ([['SIGINT', 130], ['SIGTERM', 143]])) {
	process.on(signal, () => {
		if (cleaning) process.exit(code);
		cleaning = true;
		console.log(`${signal === 'SIGINT' ? 'interrupted' : 'terminated'}: dropping bench databases ...`);
		dropAll().finally(() => process.exit(code));
	});
}

main().then(
	(code) => {
		process.exitCode = code;
	},
	async (error) => {
		console.log(`bench: CRASHED: ${error.stack ?? error}`);
		await dropAll();
		process.exitCode = 1;
	},
);
