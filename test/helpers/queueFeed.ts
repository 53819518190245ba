// Runs feed/prodigy_queue_feed.py the way a user does: the system Python (Debian's python3-peewee, -psycopg2,
// -pymysql: Prodigy's own database stack), a Prodigy home folder holding prodigy.json, stdout read line by line.
import { spawn, spawnSync, type ChildProcessByStdio } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import type { Readable } from 'node:stream';

import type { StoreConfig } from '../../lib/store/types';

export const PYTHON = '/usr/bin/python3';
export const FEED_SCRIPT = resolve(__dirname, '../../feed/prodigy_queue_feed.py');

/** Null when the system Python has peewee and both drivers; otherwise what is missing and how to install it. */
export function missingPython(): string | null {
	const check = spawnSync(PYTHON, ['-c', 'import peewee, psycopg2, pymysql'], { encoding: 'utf8' });
	if (check.status === 0) return null;
	return (
		`${PYTHON} cannot import peewee, psycopg2 and pymysql (${(check.stderr || String(check.error)).trim().split('\n').pop()}). ` +
		'Install Prodigy\'s database stack: apt-get update && apt-get install -y python3-peewee python3-psycopg2 python3-pymysql'
	);
}

/** prodigy.json for a store config, in Prodigy's own terms ("db" and "db_settings"). */
export function prodigyJson(config: StoreConfig): Record<string, unknown> {
	switch (config.type) {
		case 'sqlite':
			return { db: 'sqlite', db_settings: { sqlite: { name: basename(config.path), path: dirname(config.path) } } };
		case 'postgres': {
			const settings: Record<string, unknown> = { host: config.host, port: config.port, user: config.user, dbname: config.database };
			if (config.password) settings.password = config.password;
			return { db: 'postgresql', db_settings: { postgresql: settings } };
		}
		case 'mysql':
			return {
				db: 'mysql',
				db_settings: { mysql: { host: config.host, port: config.port, user: config.user, password: config.password ?? '', database: config.database } },
			};
	}
}

export interface ProdigyHome {
	dir: string;
	cleanup(): Promise<void>;
}

/** A Prodigy home folder whose prodigy.json points at `config` (the feed also runs with it as working directory). */
export async function createProdigyHome(config: StoreConfig): Promise<ProdigyHome> {
	const dir = await mkdtemp(join(tmpdir(), 'prodigy-home-'));
	await writeFile(join(dir, 'prodigy.json'), JSON.stringify(prodigyJson(config), null, 2));
	return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export interface FeedExit {
	code: number | null;
	signal: NodeJS.Signals | null;
}

export interface FeedProcess {
	/** Complete stdout lines so far. */
	readonly lines: string[];
	readonly stderr: () => string;
	readonly exited: Promise<FeedExit>;
	waitForLines(count: number, timeoutMs?: number): Promise<void>;
	kill(signal?: NodeJS.Signals): void;
	/** Closes the read end of the feed's stdout, as a reader that went away does. */
	closeStdout(): void;
}

export function startFeed(home: string, args: string[], env: NodeJS.ProcessEnv = {}): FeedProcess {
	const childEnv: NodeJS.ProcessEnv = { ...process.env, PRODIGY_HOME: home, ...env };
	delete childEnv.PRODIGY_CONFIG_OVERRIDES;
	delete childEnv.PRODIGY_CONFIG;
	const child: ChildProcessByStdio<null, Readable, Readable> = spawn(PYTHON, [FEED_SCRIPT, ...args], {
		cwd: home,
		env: childEnv,
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	const lines: string[] = [];
	let partial = '';
	let stderr = '';
	child.stdout.setEncoding('utf8');
	child.stdout.on('data', (chunk: string) => {
		const parts = (partial + chunk).split('\n');
		partial = parts.pop() ?? '';
		lines.push(...parts);
	});
	child.stdout.on('error', () => undefined);
	child.stderr.setEncoding('utf8');
	child.stderr.on('data', (chunk: string) => (stderr += chunk));
	// 'close': the process ended and its stdout / stderr are read to the end.
	const exited = new Promise<FeedExit>((resolveExit) => child.on('close', (code, signal) => resolveExit({ code, signal })));
	return {
		lines,
		stderr: () => stderr,
		exited,
		waitForLines: async (count, timeoutMs = 30_000) => {
			const deadline = Date.now() + timeoutMs;
			while (lines.length < count) {
				if (child.exitCode !== null || child.signalCode !== null) {
					throw new Error(`the feed exited (${child.exitCode ?? child.signalCode}) after ${lines.length} of ${count} lines:\n${stderr}`);
				}
				if (Date.now() > deadline) throw new Error(`the feed printed ${lines.length} of ${count} lines in ${timeoutMs} ms:\n${stderr}`);
				await new Promise((resolveWait) => setTimeout(resolveWait, 25));
			}
		},
		kill: (signal = 'SIGTERM') => void child.kill(signal),
		closeStdout: () => child.stdout.destroy(),
	};
}

/** Runs the feed to its end (no --follow) and returns what it printed. */
export async function runFeed(home: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ exit: FeedExit; lines: string[]; stderr: string }> {
	const feed = startFeed(home, args, env);
	const timer = setTimeout(() => feed.kill('SIGKILL'), 60_000);
	try {
		const exit = await feed.exited;
		return { exit, lines: [...feed.lines], stderr: feed.stderr() };
	} finally {
		clearTimeout(timer);
	}
}
