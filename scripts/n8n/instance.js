// Starts and stops a real n8n (main, plus one worker in queue mode) from the cached install, and provisions what a
// person would click through: the owner account and a public-API key.
'use strict';
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const crypto = require('node:crypto');
const { spawn } = require('node:child_process');
const { ensureN8n, n8nBin, log } = require('./install');
const { installPack, packTarball, REPO } = require('./pack');
const { createClients, provisionOwner, ensureApiKey } = require('./api');

const DEFAULT_OWNER = Object.freeze({
	email: 'demo@prodigy.n8n.local',
	password: 'Prodigy-Demo-2025',
	firstName: 'Demo',
	lastName: 'Owner',
});

/**
 * What the harness uses of ioredis (it comes with the n8n install; the repo has no types for it).
 * @typedef {{ connect(): Promise<void>, scan(cursor: string, ...args: (string | number)[]): Promise<[string, string[]]>,
 *   del(...keys: string[]): Promise<number>, disconnect(): void }} RedisClient
 */
/**
 * @typedef {object} StartOptions
 * @property {string} userFolder reused folders keep their database, owner and key
 * @property {number} [port]
 * @property {boolean} [queue]
 * @property {Record<string, string>} [env]
 * @property {boolean | { tarball?: string }} [pack]
 * @property {boolean} [inheritOutput]
 * @property {Partial<import('./api').Owner>} [owner]
 */

const PG = { host: '127.0.0.1', port: 5432, user: process.env.PGUSER || 'postgres' };
const REDIS = { host: '127.0.0.1', port: 6379 };

/**
 * A TCP port nobody listens on right now (the OS picks it).
 * @returns {Promise<number>}
 */
function freePort() {
	return new Promise((resolve, reject) => {
		const server = net.createServer();
		server.unref();
		server.on('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
			server.close(() => resolve(port));
		});
	});
}

/** @param {number} ms */
function sleep(ms) {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * @param {string} file
 * @param {number} [chars]
 * @returns {string} the end of the file, or why there is none
 */
function tail(file, chars = 6000) {
	try {
		const text = fs.readFileSync(file, 'utf8');
		return text.slice(-chars);
	} catch (error) {
		return `(no log: ${error instanceof Error ? error.message : String(error)})`;
	}
}

/**
 * Polls `url` until it answers 200, the process dies, or the timeout passes.
 * @param {string} url
 * @param {import('node:child_process').ChildProcess} child
 * @param {{ timeoutMs: number, logFile?: string, what: string }} options
 * @returns {Promise<void>}
 */
async function waitForHttp(url, child, { timeoutMs, logFile, what }) {
	const deadline = Date.now() + timeoutMs;
	let lastError = 'no answer yet';
	while (Date.now() < deadline) {
		if (child.exitCode !== null || child.signalCode !== null) {
			throw new Error(`${what} exited (${child.signalCode ?? `code ${child.exitCode}`}) before ${url} answered.\n${logFile ? tail(logFile) : ''}`);
		}
		try {
			const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
			if (response.status === 200) return;
			lastError = `HTTP ${response.status}`;
		} catch (error) {
			// fetch's own error is a bare "fetch failed"; the reason (ECONNREFUSED...) is its cause.
			const failure = /** @type {Error & { cause?: { code?: string } }} */ (error);
			lastError = failure.cause?.code ?? failure.message;
		}
		await sleep(500);
	}
	throw new Error(`${what} did not answer ${url} within ${timeoutMs / 1000} s (${lastError}).\n${logFile ? tail(logFile) : ''}`);
}

// Children run in their own process group so stop() also ends their task-runner grandchildren; the exit hook makes
// sure a crashed test run leaves no n8n behind.
/** @type {Set<import('node:child_process').ChildProcess>} */
const live = new Set();
process.on('exit', () => {
	for (const child of live) {
		try {
			process.kill(-(/** @type {number} */ (child.pid)), 'SIGKILL');
		} catch (error) {
			const failure = /** @type {NodeJS.ErrnoException} */ (error);
			if (failure.code !== 'ESRCH') process.stderr.write(`[n8n-harness] could not kill ${child.pid}: ${failure.message}\n`);
		}
	}
});

/**
 * Starts an n8n command (`start`, `worker`) in its own process group, its output appended to `logFile`.
 * @param {string[]} args
 * @param {{ cacheDir: string, env: NodeJS.ProcessEnv, logFile: string, inheritOutput?: boolean }} options
 * @returns {import('node:child_process').ChildProcess}
 */
function spawnN8n(args, { cacheDir, env, logFile, inheritOutput }) {
	const out = inheritOutput ? 'inherit' : fs.openSync(logFile, 'a');
	const child = spawn(n8nBin(cacheDir), args, {
		cwd: path.dirname(logFile),
		env,
		stdio: ['ignore', out, out],
		detached: true,
	});
	if (typeof out === 'number') fs.closeSync(out);
	live.add(child);
	child.on('exit', () => live.delete(child));
	return child;
}

/**
 * SIGTERM to the process group, SIGKILL after `graceMs`.
 * @param {import('node:child_process').ChildProcess} child
 * @param {{ graceMs?: number }} [options]
 */
async function stopProcess(child, { graceMs = 20_000 } = {}) {
	if (child.exitCode !== null || child.signalCode !== null) return;
	const exited = new Promise((resolve) => child.once('exit', resolve));
	/** @param {NodeJS.Signals} sig */
	const signal = (sig) => {
		try {
			process.kill(-(/** @type {number} */ (child.pid)), sig);
		} catch (error) {
			if (/** @type {NodeJS.ErrnoException} */ (error).code !== 'ESRCH') throw error;
		}
	};
	signal('SIGTERM');
	const timer = setTimeout(() => signal('SIGKILL'), graceMs);
	await exited;
	clearTimeout(timer);
	// The task runner may outlive its parent by a moment; the group kill leaves nothing behind.
	signal('SIGKILL');
}

/**
 * `pg` is a runtime dependency of the pack, so the harness borrows it from the repo's node_modules.
 * @returns {import('pg').Client}
 */
function pgClient(database = 'postgres') {
	/** @type {typeof import('pg')} */
	const { Client } = require(require.resolve('pg', { paths: [REPO] }));
	return new Client({ ...PG, database });
}

/** @param {string} name generated here, never from input */
async function createPgDatabase(name) {
	const client = pgClient();
	await client.connect();
	try {
		// The name is generated here from [a-z0-9_], never from input, so it is safe as an identifier.
		await client.query(`CREATE DATABASE "${name}"`);
	} finally {
		await client.end();
	}
}

/** @param {string} name */
async function dropPgDatabase(name) {
	const client = pgClient();
	await client.connect();
	try {
		await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
	} finally {
		await client.end();
	}
}

// Bull leaves its bookkeeping keys behind; they are removed so parallel and repeated runs share a clean Redis.
/**
 * @param {string} cacheDir the n8n install, which brings ioredis
 * @param {string} prefix
 */
async function deleteRedisKeys(cacheDir, prefix) {
	/** @type {new (options: object) => RedisClient} */
	const Redis = require(require.resolve('ioredis', { paths: [cacheDir] }));
	const redis = new Redis({ ...REDIS, lazyConnect: true, maxRetriesPerRequest: 1 });
	await redis.connect();
	try {
		let cursor = '0';
		do {
			const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
			if (keys.length) await redis.del(...keys);
			cursor = next;
		} while (cursor !== '0');
	} finally {
		redis.disconnect();
	}
}

/**
 * @param {{ cacheDir: string, userFolder: string, port: number, extra: Record<string, string> }} options
 * @returns {Record<string, string | undefined>}
 */
function baseEnv({ cacheDir, userFolder, port, extra }) {
	const nodeDir = path.dirname(process.execPath);
	const filesDir = path.join(userFolder, 'files');
	fs.mkdirSync(filesDir, { recursive: true });
	return {
		...process.env,
		// Node 24 first: n8n's bin is `#!/usr/bin/env node`, and the task runner is started with the same node.
		PATH: `${nodeDir}${path.delimiter}${path.join(cacheDir, 'node_modules', '.bin')}${path.delimiter}${process.env.PATH}`,
		N8N_USER_FOLDER: userFolder,
		N8N_PORT: String(port),
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_HOST: '127.0.0.1',
		N8N_PROTOCOL: 'http',
		N8N_WEBHOOK_URL: `http://127.0.0.1:${port}/`,
		N8N_EDITOR_BASE_URL: `http://127.0.0.1:${port}/`,
		N8N_SECURE_COOKIE: 'false',
		// No internet here, and no telemetry from tests anywhere.
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_HIRING_BANNER_ENABLED: 'false',
		N8N_DYNAMIC_BANNERS_ENABLED: 'false',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
		N8N_GRACEFUL_SHUTDOWN_TIMEOUT: '10',
		N8N_LOG_OUTPUT: 'console',
		// Read/Write Files nodes may touch this folder only (n8n 2.x default is ~/.n8n-files); templates use it.
		N8N_RESTRICT_FILE_ACCESS_TO: filesDir,
		N8N_RUNNERS_MODE: 'internal',
		N8N_RUNNERS_TASK_TIMEOUT: '300',
		N8N_PYTHON_ENABLED: 'false',
		// Community packages are what this harness loads; keep them allowed when n8n's default flips.
		N8N_UNVERIFIED_PACKAGES_ENABLED: 'true',
		...extra,
	};
}

/**
 * Starts n8n with the pack installed and returns a handle:
 * { baseUrl, port, userFolder, filesDir, apiKey, cookie, browserId, api, rest, owner, queue, logFile, stop() }.
 * `api` is an axios instance on /api/v1 (X-N8N-API-KEY), `rest` one on /rest with the owner's session.
 *
 * Options: userFolder (required; reused folders keep their database, owner and key), port (default: a free one),
 * queue (EXECUTIONS_MODE=queue on a fresh PostgreSQL database + Redis + one worker), env (extra environment for
 * every process), pack (false to skip installing the pack, or { tarball } to reuse one), inheritOutput (n8n's own
 * output on this terminal instead of a log file), owner ({ email, password, firstName, lastName }).
 * @param {StartOptions} options
 */
async function startN8n(options) {
	const { userFolder, queue = false, env: extraEnv = {}, pack = true, inheritOutput = false } = options;
	if (!userFolder) throw new Error('startN8n needs a userFolder');
	const owner = { ...DEFAULT_OWNER, ...options.owner };
	const cacheDir = await ensureN8n();
	fs.mkdirSync(userFolder, { recursive: true });
	const port = options.port ?? (await freePort());
	const baseUrl = `http://127.0.0.1:${port}`;

	const workerFolder = path.join(userFolder, 'worker');
	if (pack) {
		const given = typeof pack === 'object' ? pack.tarball : undefined;
		const tarball = given ?? (await packTarball());
		try {
			log(`installing the pack into ${userFolder}/.n8n/nodes`);
			await installPack(userFolder, { tarball });
			// A worker is another machine in real deployments: it gets its own user folder and its own pack install.
			if (queue) await installPack(workerFolder, { tarball });
		} finally {
			if (!given) fs.rmSync(path.dirname(tarball), { recursive: true, force: true });
		}
	}

	const settingsFile = path.join(userFolder, 'harness.json');
	const settings = fs.existsSync(settingsFile) ? JSON.parse(fs.readFileSync(settingsFile, 'utf8')) : {};
	// Main and worker must share the key that encrypts credentials; a fixed key per folder also survives restarts.
	settings.encryptionKey ??= crypto.randomBytes(24).toString('hex');
	/** @type {Record<string, string>} */
	const queueEnv = {};
	/** @type {string | undefined} */
	let pgDatabase;
	if (queue) {
		pgDatabase = `n8n_harness_${crypto.randomBytes(6).toString('hex')}`;
		await createPgDatabase(pgDatabase);
		Object.assign(queueEnv, {
			EXECUTIONS_MODE: 'queue',
			DB_TYPE: 'postgresdb',
			DB_POSTGRESDB_HOST: PG.host,
			DB_POSTGRESDB_PORT: String(PG.port),
			DB_POSTGRESDB_USER: PG.user,
			DB_POSTGRESDB_PASSWORD: '',
			DB_POSTGRESDB_DATABASE: pgDatabase,
			QUEUE_BULL_REDIS_HOST: REDIS.host,
			QUEUE_BULL_REDIS_PORT: String(REDIS.port),
			// Parallel harness runs share one Redis: a prefix per run keeps their queues apart.
			QUEUE_BULL_PREFIX: `bull_${pgDatabase}`,
			// ...and their caches: n8n caches webhook paths in Redis, so a later run publishing the same webhook path
			// would otherwise be refused as a conflict with a workflow of an earlier run.
			N8N_REDIS_KEY_PREFIX: `n8n_${pgDatabase}`,
			// Manual runs (the harness's run path) go to the worker too, so the worker's pack install is exercised.
			OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS: 'true',
		});
	}
	fs.writeFileSync(settingsFile, `${JSON.stringify(settings, null, 2)}\n`);

	/** @type {import('node:child_process').ChildProcess[]} */
	const processes = [];
	const logFile = path.join(userFolder, 'n8n-main.log');
	const mainEnv = baseEnv({
		cacheDir,
		userFolder,
		port,
		extra: {
			N8N_ENCRYPTION_KEY: settings.encryptionKey,
			N8N_RUNNERS_BROKER_PORT: String(await freePort()),
			...queueEnv,
			...extraEnv,
		},
	});
	const stop = async () => {
		// Worker first, so no job is picked up from a main that is going away.
		for (const child of [...processes].reverse()) await stopProcess(child);
		if (pgDatabase) {
			await dropPgDatabase(pgDatabase);
			await deleteRedisKeys(cacheDir, queueEnv.QUEUE_BULL_PREFIX);
			await deleteRedisKeys(cacheDir, queueEnv.N8N_REDIS_KEY_PREFIX);
		}
	};

	try {
		log(`starting n8n on ${baseUrl}${queue ? ' (queue mode)' : ''}; log: ${inheritOutput ? 'this terminal' : logFile}`);
		const main = spawnN8n(['start'], { cacheDir, env: mainEnv, logFile, inheritOutput });
		processes.push(main);
		await waitForHttp(`${baseUrl}/healthz/readiness`, main, { timeoutMs: 240_000, logFile, what: 'n8n main' });

		if (queue) {
			const workerPort = await freePort();
			const workerLog = path.join(userFolder, 'n8n-worker.log');
			const workerEnv = baseEnv({
				cacheDir,
				userFolder: workerFolder,
				port,
				extra: {
					N8N_ENCRYPTION_KEY: settings.encryptionKey,
					N8N_RUNNERS_BROKER_PORT: String(await freePort()),
					QUEUE_HEALTH_CHECK_ACTIVE: 'true',
					QUEUE_HEALTH_CHECK_PORT: String(workerPort),
					...queueEnv,
					...extraEnv,
				},
			});
			const worker = spawnN8n(['worker', '--concurrency=5'], { cacheDir, env: workerEnv, logFile: workerLog, inheritOutput });
			processes.push(worker);
			await waitForHttp(`http://127.0.0.1:${workerPort}/healthz/readiness`, worker, {
				timeoutMs: 180_000,
				logFile: workerLog,
				what: 'n8n worker',
			});
		}

		const clients = createClients(baseUrl);
		const session = await provisionOwner(clients, owner);
		const apiKey = await ensureApiKey(clients, session, settings);
		fs.writeFileSync(settingsFile, `${JSON.stringify({ ...settings, apiKey }, null, 2)}\n`);
		const { api, rest } = createClients(baseUrl, { apiKey, session });
		log(`n8n ready on ${baseUrl}`);
		return {
			baseUrl,
			port,
			userFolder,
			filesDir: /** @type {string} baseEnv sets it to <userFolder>/files */ (mainEnv.N8N_RESTRICT_FILE_ACCESS_TO),
			apiKey,
			cookie: session.cookie,
			browserId: session.browserId,
			api,
			rest,
			owner,
			queue: queue ? { database: pgDatabase, prefix: queueEnv.QUEUE_BULL_PREFIX } : null,
			logFile,
			processes,
			stop,
		};
	} catch (error) {
		await stop().catch((stopError) => log(`cleanup after a failed start also failed: ${stopError instanceof Error ? stopError.message : stopError}`));
		throw error;
	}
}

module.exports = { startN8n, freePort, waitForHttp, DEFAULT_OWNER, PG, REDIS };
