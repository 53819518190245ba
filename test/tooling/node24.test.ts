// scripts/node24.js re-runs npm scripts under Node 24 through `npx -p node@24`. When npx hands the command to the
// wrong Node (the empty-cache trap: node@24 cached without its binary), the child must stop at once and name the
// Node it found — never go on.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { wrongNode } = require('../../scripts/node24.js') as { wrongNode: (version: string) => string | undefined };

const SCRIPT = join(__dirname, '..', '..', 'scripts', 'node24.js');

/** A Node older than 24 on this machine (the system Node on the development and CI machines), if there is one. */
function olderNode(): string | undefined {
	for (const candidate of ['/usr/bin/node', '/usr/local/bin/node', '/bin/node']) {
		const result = spawnSync(candidate, ['-p', 'process.versions.node'], { encoding: 'utf8' });
		if (result.status === 0 && Number(result.stdout.split('.')[0]) < 24) return candidate;
	}
	return undefined;
}

describe('scripts/node24.js', () => {
	test('accepts Node 24 and newer', () => {
		expect(wrongNode('24.0.0')).toBeUndefined();
		expect(wrongNode('25.1.0')).toBeUndefined();
	});

	test('refuses an older Node, naming it and saying what to do', () => {
		const message = wrongNode('20.20.2');
		expect(message).toContain('Node 20.20.2 is running where Node 24 was expected');
		expect(message).toContain('_npx');
		expect(wrongNode('garbage')).toBeDefined();
	});

	test('the child refuses to run a task on the wrong Node (current Node passes the same check)', () => {
		// Under this test's own Node 24 the child goes on to npm; `--child` with no task stops at the usage line
		// after the check, so this shows the check passes without running anything.
		const ok = spawnSync(process.execPath, [SCRIPT, '--child'], { encoding: 'utf8' });
		expect(ok.stderr).toContain('usage:');
		expect(ok.status).toBe(2);
	});

	const old = olderNode();
	(old ? test : test.skip)('a re-run that npx hands to an older Node fails loudly naming it', () => {
		// A stand-in npx that, like npx with a broken node@24 in its cache, runs the command on the system Node.
		const bin = mkdtempSync(join(tmpdir(), 'node24-'));
		try {
			writeFileSync(
				join(bin, 'npx'),
				`#!/bin/sh\nwhile [ "$1" != "--" ]; do shift; done; shift\nPATH="${join(old!, '..')}:$PATH" exec "$@"\n`,
			);
			chmodSync(join(bin, 'npx'), 0o755);
			const result = spawnSync(old!, [SCRIPT, 'test'], {
				encoding: 'utf8',
				env: { ...process.env, PATH: `${bin}:${join(old!, '..')}:${process.env.PATH ?? ''}` },
			});
			expect(result.status).toBe(1);
			expect(result.stderr).toMatch(/Node 2[0-3]\.\d+\.\d+ is running where Node 24 was expected/);
			expect(result.stdout).not.toMatch(/PASS|Tests:/);
		} finally {
			rmSync(bin, { recursive: true, force: true });
		}
	});
});
