#!/usr/bin/env node
// Runs `npm run <task>:run` under Node 24. n8n >= 2.36, node:sqlite and n8n-workflow 2.x (isolated-vm prebuilds)
// all need Node 24; on an older system Node the same command is re-run through the registry's `node@24` package so
// that README's plain `npm test` / `npm start` work on either.
//
// The trap this file exists to avoid (docs/development.md): the registry's `node` package puts its binary in place
// in a *preinstall* script, and npx obeys this project's `.npmrc` (`ignore-scripts=true`). From an empty npm cache,
// `npx -p node@24` would then cache node@24 without a binary and silently run the command on the system Node.
// So npx gets install scripts switched on for its own install of node@24 only, and the command npx runs is this
// file again in `--child` mode: it checks that it really is Node >= 24, switches install scripts off again for the
// project's own npm, and only then runs the task.
//
// Stopping (measured with ps; test/tooling/signals.test.ts): npm and npx run every command through `sh -c` and pass
// SIGINT/SIGTERM to that shell only, which passes neither on (it dies of SIGTERM at once; on SIGINT it waits for its
// child); SIGHUP npm does not pass on at all. So `kill -TERM` on `npm start` ended npm and its shell and left this
// file, npx, the task, n8n and the demo services running. This file therefore stops its whole process tree when its
// npm goes away, not only on a signal of its own (stopOnSignals). A SIGINT to npm alone still reaches nothing below
// that shell; Ctrl-C is not that: the terminal sends it to every process of the job.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const { spawn, spawnSync } = require('node:child_process');

const REQUIRED_MAJOR = 24;
const TAG = '[n8n-nodes-prodigy]';
/** The signals that stop a command: Ctrl-C, a process manager or `timeout`, a closed terminal. */
const STOP_SIGNALS = /** @type {const} */ (['SIGINT', 'SIGTERM', 'SIGHUP']);
const SHELLS = new Set(['sh', 'dash', 'bash', 'zsh', 'ash', 'ksh']);

/**
 * Why `version` cannot run the project, or undefined when it can. Pure, so a test can show it refuses.
 * @param {string} version e.g. `process.versions.node`
 * @returns {string | undefined}
 */
function wrongNode(version, required = REQUIRED_MAJOR) {
	const major = Number(String(version).split('.')[0]);
	if (Number.isInteger(major) && major >= required) return undefined;
	return (
		`${TAG} Node ${version} is running where Node ${required} was expected.\n` +
		`${TAG} npx did not put node@${required} first on PATH (an npm cache holding node@${required} without its ` +
		'binary, or a registry that cannot be reached).\n' +
		`${TAG} Fix: install Node ${required} (npm then uses it directly), or clear npx's cache with ` +
		'`rm -rf "$(npm config get cache)/_npx"` and run the command again.'
	);
}

// ---- the process tree --------------------------------------------------------------------------------------------

/** @typedef {{ pid: number, ppid: number, pgid: number, zombie: boolean, started: string, name: string }} ProcessInfo */

/**
 * Every process of the machine, read from /proc on Linux and from `ps` elsewhere; undefined where neither answers
 * (Windows). `started` tells a process from a later one that got the same pid.
 * @returns {Map<number, ProcessInfo> | undefined}
 */
function processTable() {
	/** @type {Map<number, ProcessInfo>} */
	const table = new Map();
	if (process.platform === 'linux') {
		for (const entry of fs.readdirSync('/proc')) {
			const info = /^\d+$/.test(entry) ? processInfo(Number(entry)) : undefined;
			if (info) table.set(info.pid, info);
		}
		return table;
	}
	const ps = spawnSync('ps', ['-A', '-o', 'pid=,ppid=,pgid=,stat=,lstart=,comm='], { encoding: 'utf8' });
	if (ps.status !== 0) return undefined;
	for (const line of ps.stdout.split('\n')) {
		const match = /^\s*(\d+)\s+(\d+)\s+(\d+)\s+(\S+)\s+(\S+\s+\S+\s+\S+\s+\S+\s+\S+)\s+(.*)$/.exec(line);
		if (!match) continue;
		const pid = Number(match[1]);
		const name = match[6].split('/').pop() ?? match[6];
		table.set(pid, { pid, ppid: Number(match[2]), pgid: Number(match[3]), zombie: match[4].startsWith('Z'), started: match[5], name });
	}
	return table;
}

/**
 * One process, from /proc (Linux only); undefined when there is none by that pid.
 * @param {number} pid
 * @returns {ProcessInfo | undefined}
 */
function processInfo(pid) {
	let stat;
	try {
		stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
	} catch {
		return undefined; // no such process (any more)
	}
	// "pid (name) state ppid pgrp ... starttime ...": the name may hold spaces and parentheses.
	const close = stat.lastIndexOf(')');
	const fields = stat.slice(close + 2).split(' ');
	return {
		pid,
		ppid: Number(fields[1]),
		pgid: Number(fields[2]),
		zombie: fields[0] === 'Z',
		started: fields[19],
		name: stat.slice(stat.indexOf('(') + 1, close),
	};
}

/**
 * Whether `now` is still the process `known` (not a later one that got its pid) and has not ended.
 * @param {ProcessInfo | undefined} now
 * @param {ProcessInfo} known
 */
function sameAndRunning(now, known) {
	return Boolean(now && !now.zombie && now.started === known.started);
}

/**
 * What a stop signal to process `self` is meant for: every descendant in its process group (what Ctrl-C in a
 * terminal reaches), and the process groups that its own children lead (n8n runs in a group of its own so that its
 * task runner is stopped with it; only the process that started it stops it, so n8n is asked once).
 * @param {Map<number, ProcessInfo>} table
 * @param {number} [self]
 * @returns {{ members: ProcessInfo[], groups: number[] }}
 */
function stopTargets(table, self = process.pid) {
	const me = table.get(self);
	/** @type {ProcessInfo[]} */
	const members = [];
	/** @type {number[]} */
	const groups = [];
	if (!me) return { members, groups };
	/** @type {Map<number, ProcessInfo[]>} */
	const children = new Map();
	for (const p of table.values()) {
		if (!p.zombie) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
	}
	/** @param {number} pid */
	const walk = (pid) => {
		for (const child of children.get(pid) ?? []) {
			if (child.pgid === me.pgid) {
				members.push(child);
				walk(child.pid);
			} else if (pid === self && child.pgid === child.pid) {
				groups.push(child.pid);
			}
		}
	};
	walk(self);
	return { members, groups };
}

/**
 * @param {number} pid a pid, or minus a process group id
 * @param {NodeJS.Signals} signal
 */
function send(pid, signal) {
	try {
		process.kill(pid, signal);
	} catch (error) {
		// ESRCH: it ended on its own meanwhile, which is what is wanted. Anything else is said, and the others still
		// get their signal.
		const { code, message } = /** @type {NodeJS.ErrnoException} */ (error);
		if (code !== 'ESRCH') console.error(`${TAG} could not send ${signal} to ${pid < 0 ? `process group ${-pid}` : `pid ${pid}`}: ${message}`);
	}
}

/** @param {number} ms */
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Sends `signal` to what stopTargets names (SIGTERM to the groups of children, the request n8n expects), waits until
 * all of it has ended, and kills what is left after `graceMs`.
 * @param {NodeJS.Signals} signal
 * @param {{ graceMs?: number, fallback?: import('node:child_process').ChildProcess }} [options] fallback: signalled
 *   when the process table cannot be read
 */
async function stopDescendants(signal, { graceMs = 20_000, fallback } = {}) {
	const table = processTable();
	if (!table) {
		if (fallback && fallback.exitCode === null && fallback.signalCode === null) {
			fallback.kill(signal);
			await new Promise((resolve) => fallback.once('exit', resolve));
		}
		return;
	}
	const { members, groups } = stopTargets(table);
	for (const p of members) send(p.pid, signal);
	for (const leader of groups) send(-leader, 'SIGTERM');
	/** @param {Map<number, ProcessInfo> | undefined} now */
	const left = (now) => ({
		members: members.filter((p) => sameAndRunning(now?.get(p.pid), p)),
		groups: groups.filter((g) => [...(now?.values() ?? [])].some((p) => p.pgid === g && !p.zombie)),
	});
	const deadline = Date.now() + graceMs;
	let remaining = left(processTable());
	while (remaining.members.length + remaining.groups.length > 0) {
		if (Date.now() > deadline) {
			for (const p of remaining.members) send(p.pid, 'SIGKILL');
			for (const leader of remaining.groups) send(-leader, 'SIGKILL');
			return;
		}
		await sleep(200);
		remaining = left(processTable());
	}
}

/**
 * Whether `known` still runs: on Linux the same process (not a later one with its pid) and not a zombie; elsewhere
 * whether its pid is taken.
 * @param {ProcessInfo} known
 */
function stillThere(known) {
	if (process.platform === 'linux') return sameAndRunning(processInfo(known.pid), known);
	try {
		process.kill(known.pid, 0);
		return true;
	} catch (error) {
		return /** @type {NodeJS.ErrnoException} */ (error).code === 'EPERM';
	}
}

/**
 * Calls `gone` once when what waits for this process goes away: its parent, and under npm also the npm behind the
 * `sh -c` that npm runs scripts with (npm dies of a SIGHUP without passing it on, and that shell then waits on).
 * @param {(who: string) => void} gone
 */
function watchParent(gone) {
	const parent = process.ppid;
	const table = processTable();
	const shell = table?.get(parent);
	const npm = process.env.npm_lifecycle_event && shell && SHELLS.has(shell.name) ? table?.get(shell.ppid) : undefined;
	const timer = setInterval(() => {
		const who = process.ppid !== parent ? `its parent (pid ${parent})` : npm && npm.pid > 1 && !stillThere(npm) ? `npm (pid ${npm.pid})` : undefined;
		if (!who) return;
		clearInterval(timer);
		gone(who);
	}, 500);
	timer.unref();
}

/**
 * Ends this process the way `signal` ends it (so a shell sees 128 + the signal's number), or with `code`.
 * @param {number | null} code
 * @param {NodeJS.Signals | null} [signal]
 */
function exitLike(code, signal) {
	if (!signal) process.exit(code ?? 1);
	for (const s of STOP_SIGNALS) process.removeAllListeners(s);
	process.kill(process.pid, signal);
	// A signal this process cannot die of (it is ignored, or there is no such thing here): the shell's number for it.
	setTimeout(() => process.exit(128 + (os.constants.signals[signal] ?? 0)), 1000);
}

/**
 * Makes SIGINT, SIGTERM and SIGHUP (and with `watchParent` also the end of whatever waits for this process) stop
 * everything this process started, as stopDescendants says, then end this process by that same signal. `cleanup`
 * runs meanwhile (npm start closes its demo services in it). Use it where a process starts children it must not
 * leave behind; `stopping()` tells the rest of the program that its own ending no longer decides the exit.
 * @param {{ cleanup?: (signal: NodeJS.Signals) => unknown, graceMs?: number, watchParent?: boolean,
 *   fallback?: import('node:child_process').ChildProcess }} [options]
 * @returns {{ stopping: () => boolean }}
 */
function stopOnSignals({ cleanup, graceMs, watchParent: watch = false, fallback } = {}) {
	/** @type {NodeJS.Signals | undefined} */
	let stoppingBy;
	/** @param {NodeJS.Signals} signal */
	const stop = (signal) => {
		if (stoppingBy) return;
		stoppingBy = signal;
		// After a SIGHUP the terminal may be gone: a failed write to it must not end this process before its children.
		const ignore = () => undefined;
		process.stdout.on('error', ignore);
		process.stderr.on('error', ignore);
		const cleaned = Promise.resolve().then(() => cleanup?.(signal));
		Promise.allSettled([cleaned, stopDescendants(signal, { graceMs, fallback })]).then((results) => {
			for (const result of results) {
				if (result.status === 'rejected') console.error(`${TAG} while stopping: ${result.reason instanceof Error ? result.reason.message : result.reason}`);
			}
			exitLike(null, signal);
		});
	};
	for (const s of STOP_SIGNALS) process.on(s, stop);
	if (watch) {
		watchParent((who) => {
			console.error(`${TAG} ${who} has gone: stopping what it started`);
			stop('SIGTERM');
		});
	}
	return { stopping: () => stoppingBy !== undefined };
}

// ---- running the task --------------------------------------------------------------------------------------------

/**
 * Runs the command to its end and ends this process as it ended; a stop signal (or the end of npm) stops it and
 * everything under it first.
 * @param {string} cmd
 * @param {string[]} args
 * @param {NodeJS.ProcessEnv} env
 */
function run(cmd, args, env) {
	// npm runs scripts from the package root; INIT_CWD keeps where the user typed the command, so relative file
	// arguments (npm run n8n:run -- ./my-workflow.json) still resolve from there.
	const child = spawn(cmd, args, { stdio: 'inherit', env, cwd: process.env.INIT_CWD || process.cwd() });
	// Longer than npm start's own 20 s for n8n, so that npm start gets to stop n8n itself.
	const signals = stopOnSignals({ graceMs: 40_000, watchParent: true, fallback: child });
	child.on('error', (error) => {
		console.error(`${TAG} could not start ${cmd}: ${error.message}`);
		process.exit(1);
	});
	child.on('exit', (code, signal) => {
		// When stopping, stopOnSignals ends this process once everything under it has ended too.
		if (!signals.stopping()) exitLike(code, signal);
	});
}

/**
 * @param {string[]} argv the arguments after the script name
 * @returns {number | undefined} the exit code, or undefined when a task runs (and decides it)
 */
function main(argv) {
	const child = argv[0] === '--child';
	const [task, ...args] = child ? argv.slice(1) : argv;
	if (!task) {
		console.error('usage: node scripts/node24.js <task> [args...]');
		return 2;
	}
	const npmArgs = ['run', '--silent', `${task}:run`, ...(args.length ? ['--', ...args] : [])];
	const problem = wrongNode(process.versions.node);

	if (!problem) {
		// Under Node 24 (directly, or as npx's child): the project's own npm keeps install scripts off, as .npmrc says.
		const env = { ...process.env, npm_config_ignore_scripts: 'true' };
		run('npm', npmArgs, env);
		return undefined;
	}
	if (child) {
		console.error(problem);
		return 1;
	}
	console.error(`${TAG} Node ${process.versions.node} found; running under Node ${REQUIRED_MAJOR} via npx node@${REQUIRED_MAJOR}`);
	const env = { ...process.env, npm_config_ignore_scripts: 'false', npm_config_yes: 'true' };
	run('npx', ['-y', '-p', `node@${REQUIRED_MAJOR}`, '--', 'node', __filename, '--child', task, ...args], env);
	return undefined;
}

if (require.main === module) {
	const code = main(process.argv.slice(2));
	if (code !== undefined) process.exit(code);
}

module.exports = { wrongNode, REQUIRED_MAJOR, STOP_SIGNALS, stopOnSignals, stopDescendants, stopTargets, processTable };
