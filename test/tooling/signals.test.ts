// A signal that stops an npm script of this repo (Ctrl-C: SIGINT; a process manager or `timeout`: SIGTERM; a closed
// terminal: SIGHUP) must stop all of it. npm runs each script through `sh -c` and passes SIGINT/SIGTERM to that shell
// only, which dies of it, and SIGHUP not at all: measured, `kill -TERM` on `npm start` left scripts/node24.js, npx,
// the task and n8n running. These tests send the signal to npm itself, as a user or a process manager does, and
// check that every process under it has gone and that npm ended by that signal.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const REPO = join(__dirname, '..', '..');
const NODE24 = join(REPO, 'scripts', 'node24.js');
const FIXTURES = join(REPO, 'test', 'fixtures', 'signals');
const SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;

interface Proc {
	pid: number;
	ppid: number;
	stat: string;
	args: string;
}

function processes(): Map<number, Proc> {
	const ps = spawnSync('ps', ['-A', '-o', 'pid=,ppid=,stat=,args='], { encoding: 'utf8' });
	const table = new Map<number, Proc>();
	for (const line of ps.stdout.split('\n')) {
		const match = /^\s*(\d+)\s+(\d+)\s+(\S+)\s+(.*)$/.exec(line);
		if (match) table.set(Number(match[1]), { pid: Number(match[1]), ppid: Number(match[2]), stat: match[3], args: match[4] });
	}
	return table;
}

function descendants(root: number): Proc[] {
	const table = processes();
	const found: Proc[] = [];
	const walk = (pid: number) => {
		for (const p of table.values()) {
			if (p.ppid === pid) {
				found.push(p);
				walk(p.pid);
			}
		}
	};
	walk(root);
	return found;
}

/** Those of `procs` still running (a zombie has ended; its parent has not collected it yet). */
function running(procs: Proc[]): Proc[] {
	const table = processes();
	return procs.filter((p) => {
		const now = table.get(p.pid);
		return now && !now.stat.startsWith('Z') && now.args === p.args;
	});
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Tree {
	npm: ChildProcess;
	dir: string;
	pids: Record<string, number | string>;
	exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
	output: () => string;
}

/**
 * `npm run task` in a throw-away package whose `task` script is `node scripts/node24.js task`, exactly as this repo's
 * scripts are, and `task:run` runs `fixture`. npm starts in a process group of its own, as a terminal's job does.
 */
async function startTree(fixture: string, env: NodeJS.ProcessEnv = process.env): Promise<Tree> {
	const dir = mkdtempSync(join(tmpdir(), 'signals-'));
	const scripts = { task: `node ${JSON.stringify(NODE24)} task`, 'task:run': `node ${JSON.stringify(join(FIXTURES, fixture))}` };
	writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'signals-fixture', private: true, scripts }));
	const pidFile = join(dir, 'pids.json');
	const npm = spawn('npm', ['run', 'task'], {
		cwd: dir,
		env: { ...env, SIGNALS_PIDFILE: pidFile, INIT_CWD: dir },
		stdio: ['ignore', 'pipe', 'pipe'],
		detached: true,
	});
	let out = '';
	npm.stdout!.on('data', (chunk) => (out += chunk));
	npm.stderr!.on('data', (chunk) => (out += chunk));
	const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
		npm.once('exit', (code, signal) => resolve({ code, signal })),
	);
	const deadline = Date.now() + 25_000;
	while (!existsSync(pidFile)) {
		if (Date.now() > deadline || npm.exitCode !== null) {
			try {
				process.kill(-npm.pid!, 'SIGKILL');
			} catch {
				// already gone
			}
			throw new Error(`the task did not come up:\n${out}`);
		}
		await sleep(100);
	}
	return { npm, dir, pids: JSON.parse(readFileSync(pidFile, 'utf8')), exited, output: () => out };
}

/**
 * Sends `signal` to npm alone, or with `group` to npm's whole process group (what a terminal sends on Ctrl-C or when
 * it closes), then waits until every process that was under npm has ended or `withinMs` passed. Whatever is left is
 * killed afterwards, so a failing run leaves nothing behind.
 */
async function stopTree(tree: Tree, signal: NodeJS.Signals, { group = false, withinMs = 10_000 } = {}) {
	const before = descendants(tree.npm.pid!);
	process.kill(group ? -tree.npm.pid! : tree.npm.pid!, signal);
	let timer: NodeJS.Timeout | undefined;
	const ended = await Promise.race([tree.exited, new Promise((resolve) => (timer = setTimeout(resolve, withinMs, 'npm did not end')))]);
	clearTimeout(timer);
	const deadline = Date.now() + withinMs;
	let left = running(before);
	while (left.length && Date.now() < deadline) {
		await sleep(100);
		left = running(before);
	}
	for (const p of left) {
		try {
			process.kill(p.pid, 'SIGKILL');
		} catch {
			// ended meanwhile
		}
	}
	const n8nFile = join(tree.dir, 'pids.json.n8n-signals');
	// What the n8n stand-in of start-like.js was asked to stop with, one line per signal.
	const n8nAsked = existsSync(n8nFile) ? readFileSync(n8nFile, 'utf8') : '';
	rmSync(tree.dir, { recursive: true, force: true });
	return { before: before.map((p) => p.pid), left: left.map((p) => `${p.pid} ${p.args}`), ended, n8nAsked };
}

/** A Node older than 24 on this machine (the system Node on the development and CI machines), if there is one. */
function olderNode(): string | undefined {
	for (const candidate of ['/usr/bin/node', '/usr/local/bin/node']) {
		const result = spawnSync(candidate, ['-p', 'process.versions.node'], { encoding: 'utf8' });
		if (result.status === 0 && Number(result.stdout.split('.')[0]) < 24) return candidate;
	}
	return undefined;
}

const posix = process.platform !== 'win32' ? describe : describe.skip;

posix('a stop signal to npm stops the whole script (scripts/node24.js)', () => {
	// What a process manager, `timeout` or `kill <pid>` does. (SIGINT to npm alone is left out: npm passes it to its
	// `sh -c`, which waits for its child before acting on it, so nothing below npm ever learns of it. Ctrl-C sends
	// SIGINT to the whole process group instead, below.)
	test.each(['SIGTERM', 'SIGHUP'] as const)('%s to npm alone: a task without signal handling, and its child, end; npm ends by the signal', async (signal) => {
		const tree = await startTree('plain-task.js');
		const { before, left, ended } = await stopTree(tree, signal);
		expect(before).toEqual(expect.arrayContaining([tree.pids.task, tree.pids.child]));
		expect(left).toEqual([]);
		expect(ended).toEqual({ code: null, signal });
	});

	test.each(['SIGTERM', 'SIGHUP'] as const)(
		'%s to npm alone: a service the task started in its own process group (as npm start starts n8n) is asked to stop, once, and ends',
		async (signal) => {
			const tree = await startTree('start-like.js');
			const { before, left, ended, n8nAsked } = await stopTree(tree, signal);
			expect(before).toEqual(expect.arrayContaining([tree.pids.task, tree.pids.n8n, tree.pids.runner, tree.pids.install]));
			expect(left).toEqual([]);
			expect(ended).toEqual({ code: null, signal });
			// SIGTERM: what n8n shuts down gracefully on.
			expect(n8nAsked).toBe('SIGTERM\n');
		},
	);

	// Ctrl-C, a closed terminal, `kill -TERM -<pgid>`: every process of the group gets the signal at once, except the
	// service, which is in a group of its own and must still be stopped, once.
	test.each(SIGNALS)('%s to the whole process group: everything ends, the service asked once; npm ends by the signal', async (signal) => {
		const tree = await startTree('start-like.js');
		const { before, left, ended, n8nAsked } = await stopTree(tree, signal, { group: true });
		expect(before).toEqual(expect.arrayContaining([tree.pids.task, tree.pids.n8n, tree.pids.runner, tree.pids.install]));
		expect(left).toEqual([]);
		expect(ended).toEqual({ code: null, signal });
		expect(n8nAsked).toBe('SIGTERM\n');
	});

	const old = olderNode();
	(old ? test : test.skip)('SIGTERM to npm alone on an older system Node, where node24.js goes through npx node@24', async () => {
		const bin = join(old!, '..');
		const tree = await startTree('start-like.js', { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` });
		expect(tree.output()).toContain('via npx node@24');
		expect(Number(String(tree.pids.node).split('.')[0])).toBeGreaterThanOrEqual(24);
		const { left, ended, n8nAsked } = await stopTree(tree, 'SIGTERM');
		expect(left).toEqual([]);
		expect(ended).toEqual({ code: null, signal: 'SIGTERM' });
		expect(n8nAsked).toBe('SIGTERM\n');
	});
});
