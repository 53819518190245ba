// `npm run test:e2e [-- --queue] [--no-build] [--n8n <version>|oldest|pinned] [files or name filters...]`: the
// real-n8n suite.
//
// Builds and packs once, makes sure n8n is installed before any test's clock starts (the pinned version, or the one
// `--n8n` / N8N_PRODIGY_N8N_VERSION names, each in its own cache folder), then runs
// test/e2e/**/*.e2e.js with node's test runner (one file at a time: every file starts its own n8n on 2 cores)
// and ends with the summary line `N passed, M failed`.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { run } = require('node:test');
const { spec } = require('node:test/reporters');
const { ensureN8n, log, n8nVersion, OLDEST_N8N_VERSION, PINNED_N8N_VERSION } = require('./install');
const { buildPack, packTarball, REPO } = require('./pack');

/**
 * @param {string} dir
 * @returns {string[]} the `*.e2e.js` files under `dir`, sorted
 */
function findTests(dir) {
	if (!fs.existsSync(dir)) return [];
	return fs
		.readdirSync(dir, { withFileTypes: true })
		.flatMap((entry) => {
			const full = path.join(dir, entry.name);
			if (entry.isDirectory()) return findTests(full);
			return entry.name.endsWith('.e2e.js') ? [full] : [];
		})
		.sort();
}

/** @param {string[]} argv */
function parseArgs(argv) {
	/** @type {{ queue: boolean, build: boolean, filters: string[], concurrency: number, n8n?: string }} */
	const args = { queue: false, build: true, filters: [], concurrency: 1 };
	for (let i = 0; i < argv.length; i++) {
		const a = argv[i];
		if (a === '--queue') args.queue = true;
		else if (a === '--no-build') args.build = false;
		else if (a === '--concurrency') args.concurrency = Number(argv[++i]);
		else if (a === '--n8n' || a.startsWith('--n8n=')) {
			const version = a === '--n8n' ? argv[++i] : a.slice('--n8n='.length);
			if (!version || version.startsWith('--')) throw new Error(`--n8n needs a version, e.g. --n8n ${OLDEST_N8N_VERSION}`);
			// `oldest` / `pinned`: the versions README names as the tested range, so CI need not repeat them.
			args.n8n = version === 'oldest' ? OLDEST_N8N_VERSION : version === 'pinned' ? PINNED_N8N_VERSION : version;
		}
		else if (a.startsWith('--')) throw new Error(`unknown option ${a}`);
		else args.filters.push(a);
	}
	return args;
}

/**
 * @param {string[]} argv
 * @returns {Promise<number>} the exit code
 */
async function main(argv) {
	const args = parseArgs(argv);
	let files = findTests(path.join(REPO, 'test', 'e2e'));
	if (args.filters.length) files = files.filter((f) => args.filters.some((filter) => f.includes(filter)));
	if (!files.length) {
		console.error('no e2e test files matched');
		console.log('0 passed, 0 failed');
		return 1;
	}
	// Through the environment, so every test file's process (and the n8n it starts) uses the same version.
	if (args.n8n) process.env.N8N_PRODIGY_N8N_VERSION = args.n8n;
	const version = n8nVersion();
	await ensureN8n();
	if (args.build) await buildPack();
	const tarball = await packTarball();
	process.env.N8N_PRODIGY_TARBALL = tarball;
	process.env.N8N_E2E_QUEUE = args.queue ? '1' : '0';
	log(`running ${files.length} e2e file(s) on n8n ${version}${args.queue ? ' in queue mode' : ''}`);

	let passed = 0;
	let failed = 0;
	let skipped = 0;
	const stream = run({ files, concurrency: args.concurrency });
	stream.on('test:pass', (data) => {
		if (data.details?.type === 'suite') return;
		if (data.skip || data.todo) skipped++;
		else passed++;
	});
	stream.on('test:fail', (data) => {
		if (data.details?.type !== 'suite') failed++;
	});
	const reporter = stream.compose(spec);
	reporter.pipe(process.stdout);
	await new Promise((resolve, reject) => {
		reporter.on('end', resolve);
		reporter.on('error', reject);
	});
	fs.rmSync(path.dirname(tarball), { recursive: true, force: true });
	log(`n8n ${version}${args.queue ? ', queue mode' : ''}`);
	console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
	return failed === 0 && passed > 0 ? 0 : 1;
}

main(process.argv.slice(2)).then(
	(code) => process.exit(code),
	(error) => {
		console.error(`[n8n-harness] ${error.stack || error.message}`);
		console.log('0 passed, 1 failed');
		process.exit(1);
	},
);
