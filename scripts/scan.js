// `npm run scan [-- --no-build]`: n8n's community-package scanner (@n8n/scan-community-package, the check n8n runs
// before it verifies a community package) on what users install, failing on any finding not explained below.
//
// Two legs, as n8n's own gate runs them: the scanner's analyzePackage on the packed tarball (`npm pack` of the
// build, every .js / .ts / .json file in it), and on the repo's node / credential sources (its SOURCE_FILE_PATTERNS).
// The scanner only reports formatted text, so its findings are read back from that text and compared with KNOWN:
// a new finding fails the run, and so does a KNOWN entry the scanner no longer reports (keep the list true).
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { stripVTControlCharacters } = require('node:util');
const { PACKAGE, packTarball, REPO } = require('./n8n/pack');

const NO_DEPENDENCIES = '@n8n/community-nodes/no-runtime-dependencies';
const RESTRICTED_IMPORT = '@n8n/community-nodes/no-restricted-imports';
const RESTRICTED_GLOBAL = '@n8n/community-nodes/no-restricted-globals';
const SELF_HOSTED =
	'n8n Cloud forbids it; this pack reads and writes Prodigy\'s database directly, so it is self-hosted only ' +
	'(README, "Install into n8n")';

/** @typedef {{ file: string, line: number, rule: string, message: string }} Finding one error of the scanner's report */
/** @typedef {{ leg: 'tarball' | 'source', file: string, rule: string, message: string, why: string }} KnownFinding */

/**
 * The findings we accept, each with its reason. `message` is a part of the scanner's message, so that a new import
 * in the same file is still a new finding. Paths are relative to the scanned folder.
 * @type {KnownFinding[]}
 */
const KNOWN = [
	// Prodigy's PostgreSQL and MySQL databases are reached through pg and mysql2, which n8n installs with the pack.
	{ leg: 'tarball', file: 'package.json', rule: NO_DEPENDENCIES, message: '"dependencies"', why: SELF_HOSTED },
	{ leg: 'source', file: 'package.json', rule: NO_DEPENDENCIES, message: '"dependencies"', why: SELF_HOSTED },
	{ leg: 'tarball', file: 'dist/lib/store/postgres.js', rule: RESTRICTED_IMPORT, message: "'pg'", why: SELF_HOSTED },
	{ leg: 'tarball', file: 'dist/lib/store/mysql.js', rule: RESTRICTED_IMPORT, message: "'mysql2/promise'", why: SELF_HOSTED },
	// Prodigy's default backend is an SQLite file, opened with Node's built-in driver; node:path normalises the file's
	// path so that stores on the same file in one process take turns (lib/store/sqlite.ts).
	{ leg: 'tarball', file: 'dist/lib/store/sqlite.js', rule: RESTRICTED_IMPORT, message: "'node:sqlite'", why: SELF_HOSTED },
	{ leg: 'tarball', file: 'dist/lib/store/sqlite.js', rule: RESTRICTED_IMPORT, message: "'node:path'", why: SELF_HOSTED },
	// node:fs: a read on a path with no file must not create an empty prodigy.db (opening would), so it checks first.
	{ leg: 'tarball', file: 'dist/lib/store/sqlite.js', rule: RESTRICTED_IMPORT, message: "'node:fs'", why: SELF_HOSTED },
	// node:os gives the home folder a credential's `~/.prodigy/prodigy.db` (Prodigy's default path) stands for.
	{ leg: 'tarball', file: 'dist/lib/store/sqlite.js', rule: RESTRICTED_IMPORT, message: "'node:os'", why: SELF_HOSTED },
	// The credential test checks that an SQLite file exists without creating it (opening it would create one).
	{ leg: 'tarball', file: 'dist/nodes/shared/credentialTest.js', rule: RESTRICTED_IMPORT, message: "'node:fs'", why: SELF_HOSTED },
	{ leg: 'source', file: 'nodes/shared/credentialTest.ts', rule: RESTRICTED_IMPORT, message: "'node:fs'", why: SELF_HOSTED },
	// The Prodigy Server credential's test: n8n 2.40 gives a credential test function only `helpers.request`
	// (ICredentialTestFunctions has no httpRequest), and a declarative test would need the credential's
	// `authenticate`, which makes n8n add "Custom API Call" to the Prodigy Dataset node (issue 11).
	...['tarball', 'source'].map((leg) => ({
		leg: /** @type {'tarball' | 'source'} */ (leg),
		file: leg === 'tarball' ? 'dist/nodes/shared/credentialTest.js' : 'nodes/shared/credentialTest.ts',
		rule: '@n8n/community-nodes/no-deprecated-workflow-functions',
		message: "'request' is deprecated",
		why: 'n8n 2.40 offers credential tests no other HTTP helper',
	})),
	// The library entry keeps its types (dist/lib/*.d.ts), and the dialects' classes name their drivers' types.
	{ leg: 'tarball', file: 'dist/lib/store/postgres.d.ts', rule: RESTRICTED_IMPORT, message: "'pg'", why: SELF_HOSTED },
	{ leg: 'tarball', file: 'dist/lib/store/mysql.d.ts', rule: RESTRICTED_IMPORT, message: "'mysql2/promise'", why: SELF_HOSTED },
	// Export streams the dataset into its file(s) instead of holding it in memory; with a dev share, the train and dev
	// files are two streams written in one pass over the dataset.
	...["'node:stream'", "'node:events'"].map((message) => ({
		leg: /** @type {'tarball'} */ ('tarball'),
		file: 'dist/lib/exportFiles.js',
		rule: RESTRICTED_IMPORT,
		message,
		why: SELF_HOSTED,
	})),
	{ leg: 'tarball', file: 'dist/lib/exportFiles.d.ts', rule: RESTRICTED_IMPORT, message: "'node:stream'", why: SELF_HOSTED },
	// One timer in lib (sleep in lib/store/dialect.ts): lock-wait, schema-race and session-settling backoff that must
	// not block n8n's event loop. n8n's own `sleep` is the same setTimeout, but lib may not import n8n-workflow.
	{
		leg: 'tarball',
		file: 'dist/lib/store/dialect.js',
		rule: RESTRICTED_GLOBAL,
		message: "'setTimeout'",
		why: 'lib/ is free of n8n (its own backoff timer); the pack is self-hosted only',
	},
	// Only the source leg applies n8n-nodes-base's credential rules. Users and the issue call them "Prodigy Database"
	// and "Prodigy Server": one is a database, and Prodigy's web server offers no public API (eslint.config.mjs).
	{
		leg: 'source',
		file: 'credentials/ProdigyDatabaseApi.credentials.ts',
		rule: 'n8n-nodes-base/cred-class-field-display-name-missing-api',
		message: "Append 'API'",
		why: 'the credential is a database, not an API',
	},
	{
		leg: 'source',
		file: 'credentials/ProdigyServerApi.credentials.ts',
		rule: 'n8n-nodes-base/cred-class-field-display-name-missing-api',
		message: "Append 'API'",
		why: 'Prodigy\'s web server offers no public API',
	},
];

/**
 * The errors in the scanner's report (ESLint's "stylish" text) as { file, line, rule, message }, file relative to
 * `root`. Throws when the count differs from the report's own "✖ N problems" line: a report we cannot read must
 * not pass as a clean one.
 * @param {string | undefined} details
 * @param {string} root
 * @returns {Finding[]}
 */
function parseReport(details, root) {
	/** @type {Finding[]} */
	const findings = [];
	let file = null;
	let errorsInSummary = 0;
	for (const raw of stripVTControlCharacters(details ?? '').split('\n')) {
		const line = raw.trimEnd();
		const summary = /^✖ \d+ problems? \((\d+) errors?/.exec(line);
		const problem = /^\s+(\d+):\d+\s+(error|warning)\s+(.*\S)\s+(\S+)$/.exec(line);
		if (summary) errorsInSummary = Number(summary[1]);
		else if (problem && file !== null) {
			if (problem[2] === 'error') findings.push({ file, line: Number(problem[1]), rule: problem[4], message: problem[3] });
		} else if (line !== '' && !/^\s/.test(line) && !line.includes('potentially fixable')) {
			file = path.relative(root, line).split(path.sep).join('/');
		}
	}
	if (findings.length !== errorsInSummary) {
		throw new Error(`read ${findings.length} errors from the scanner's report, which counts ${errorsInSummary}:\n${details}`);
	}
	return findings;
}

/** Compares one leg's findings with KNOWN: what is new, and which KNOWN entries were not reported. */
/**
 * @param {string} leg
 * @param {Finding[]} findings
 * @param {KnownFinding[]} [known]
 */
function compare(leg, findings, known = KNOWN) {
	const expected = known.filter((entry) => entry.leg === leg);
	/** @type {(entry: KnownFinding, finding: Finding) => boolean} */
	const matches = (entry, finding) =>
		entry.file === finding.file && entry.rule === finding.rule && finding.message.includes(entry.message);
	return {
		unexpected: findings.filter((finding) => !expected.some((entry) => matches(entry, finding))),
		stale: expected.filter((entry) => !findings.some((finding) => matches(entry, finding))),
	};
}

/**
 * @param {string} tarball
 * @returns {string} the folder it was extracted into
 */
function extract(tarball) {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-prodigy-scan-'));
	const tar = spawnSync('tar', ['-xzf', tarball, '-C', dir, '--strip-components=1'], { encoding: 'utf8' });
	if (tar.status !== 0) throw new Error(`tar could not extract ${tarball}: ${tar.stderr}`);
	return dir;
}

/**
 * @param {string[]} argv
 * @returns {Promise<number>} the exit code
 */
async function main(argv) {
	const unknown = argv.filter((arg) => arg !== '--no-build');
	if (unknown.length) {
		console.error(`usage: npm run scan [-- --no-build]   (unknown: ${unknown.join(' ')})`);
		return 2;
	}
	// The scanner is an ES module; its analyzePackage lints a folder with n8n's own rule set.
	/** @type {{ analyzePackage: (dir: string, patterns?: string[]) => Promise<{ passed: boolean, error?: unknown, message?: string, details?: string }>, SOURCE_FILE_PATTERNS: string[] }} */
	// @ts-expect-error -- the scanner ships no type declarations; the type above is what scripts/scan.js relies on.
	const scanner = await import('@n8n/scan-community-package/scanner/scanner.mjs');
	const tarball = await packTarball({ build: !argv.includes('--no-build') });
	const packageDir = extract(tarball);
	const legs = [
		{ leg: 'tarball', dir: packageDir, patterns: undefined },
		{ leg: 'source', dir: REPO, patterns: scanner.SOURCE_FILE_PATTERNS },
	];
	let failed = false;
	try {
		// Declarations are left out for credentials and nodes (package.json "files": n8n's file-name rules trip on
		// them), never for the library entry that scripts and Code nodes import.
		if (!fs.existsSync(path.join(packageDir, PACKAGE.types))) {
			console.error(`the tarball lacks ${PACKAGE.types}, the library's types (package.json "types")`);
			failed = true;
		}
		for (const { leg, dir, patterns } of legs) {
			const result = await scanner.analyzePackage(dir, patterns);
			if (result.error) throw new Error(`the scanner failed on the ${leg}: ${result.message}`);
			const findings = result.passed ? [] : parseReport(result.details, dir);
			const { unexpected, stale } = compare(leg, findings);
			console.log(`${leg}: ${findings.length} finding(s), ${unexpected.length} not in KNOWN`);
			for (const finding of unexpected) {
				console.error(`  NEW ${finding.file}:${finding.line} ${finding.rule}: ${finding.message}`);
			}
			for (const entry of stale) {
				console.error(`  GONE ${entry.file} ${entry.rule} (${entry.message}): remove it from KNOWN in scripts/scan.js`);
			}
			failed ||= unexpected.length > 0 || stale.length > 0;
		}
	} finally {
		fs.rmSync(packageDir, { recursive: true, force: true });
		fs.rmSync(path.dirname(tarball), { recursive: true, force: true });
	}
	console.log(failed ? 'scan FAILED: fix the new findings, or explain them in KNOWN (scripts/scan.js)' : 'scan passed');
	return failed ? 1 : 0;
}

if (require.main === module) {
	main(process.argv.slice(2)).then(
		(code) => process.exit(code),
		(error) => {
			console.error(error instanceof Error ? error.message : error);
			process.exit(1);
		},
	);
}

module.exports = { KNOWN, parseReport, compare };
