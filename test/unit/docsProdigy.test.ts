// docs/prodigy.md is what code comments cite for Prodigy's rules: its DDL and hash vectors must stay the ones the
// code implements, or the citation sends a reader to the wrong fact.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setHashes } from '../../lib/hashing';
import { parseJsonLossless } from '../../lib/json';
import { prodigySchemaScript } from '../../lib/store/schema';
import type { BackendType, Task } from '../../lib/store/types';

const doc = readFileSync(join(__dirname, '../../docs/prodigy.md'), 'utf8');

function sqlBlock(): string {
	const match = /```sql\n([\s\S]*?)```/.exec(doc);
	if (!match) throw new Error('docs/prodigy.md has no ```sql block');
	return match[1];
}

describe('docs/prodigy.md', () => {
	it.each<[BackendType, string]>([
		['sqlite', 'SQLite'],
		['postgres', 'PostgreSQL'],
		['mysql', 'MySQL'],
	])('lists exactly the %s DDL the store runs', (backend, heading) => {
		const sections = sqlBlock().split(/^-- /m).filter(Boolean);
		const section = sections.find((text) => text.startsWith(`${heading}\n`));
		expect(section?.slice(heading.length + 1).trim()).toBe(prodigySchemaScript(backend));
	});

	it('lists hash vectors that lib/hashing reproduces', () => {
		const rows = [...doc.matchAll(/^\| `(\{.*\})` \| (-?\d+) \| (-?\d+) \|$/gm)];
		expect(rows).toHaveLength(4);
		for (const [, json, inputHash, taskHash] of rows) {
			const task = setHashes(parseJsonLossless(json) as Task);
			expect([task._input_hash, task._task_hash]).toEqual([Number(inputHash), Number(taskHash)]);
		}
	});
});
