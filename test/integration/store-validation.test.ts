// Small input faults the store must refuse clearly, changing nothing: broken Unicode in a dataset name, a name
// MySQL's collation equates with an existing one, holes in a task array, a session that is neither name nor flag.
import { DatasetExistsError, InvalidDatasetNameError, InvalidTaskError, ProdigyInputError } from '../../lib/errors';
import { openStore } from '../../lib/store';
import { prepareTask, type PreparedTask } from '../../lib/tasks';
import type { AddExamplesOptions, ProdigyStore, Task } from '../../lib/store/types';
import { BACKENDS, createTestDatabase, type TestDatabase } from '../helpers/databases';
import { failure } from '../helpers/failure';
import { collect, rowCounts } from '../helpers/rows';


describe.each(BACKENDS)('store input validation on %s', (backend) => {
	let db: TestDatabase;
	let store: ProdigyStore;

	beforeEach(async () => {
		db = await createTestDatabase(backend);
		store = openStore(db.config);
		await store.createDataset('base');
	});

	afterEach(async () => {
		await store.close();
		await db.cleanup();
	});

	it('refuses a dataset name holding a lone surrogate', async () => {
		for (const name of ['a\uD800b', 'a\uDC00', '\uD83D']) {
			expect(await failure(() => store.createDataset(name))).toBeInstanceOf(InvalidDatasetNameError);
			expect(await failure(() => store.addExamples(name, [{ text: 'x' }]))).toBeInstanceOf(InvalidDatasetNameError);
		}
		// A proper pair (an emoji) is fine.
		expect((await store.createDataset('emoji_\uD83D\uDE00')).name).toBe('emoji_\uD83D\uDE00');
		expect(await store.getDataset('emoji_\uD83D\uDE00')).not.toBeNull();
		expect(await rowCounts(db.config)).toEqual({ dataset: 2, example: 0, link: 0 });
	});

	it('refuses a hole in the task array by its index, writing nothing', async () => {
		// eslint-disable-next-line no-sparse-arrays -- the hole is the point
		const tasks: Task[] = [{ text: 'a' }, , { text: 'c' }] as Task[];
		const error = (await failure(() => store.addExamples('base', tasks))) as InvalidTaskError;
		expect(error).toBeInstanceOf(InvalidTaskError);
		expect(error.index).toBe(1);
		expect(error.message).toMatch(/^Task 1\b/);
		expect(await rowCounts(db.config)).toEqual({ dataset: 1, example: 0, link: 0 });
	});

	it('writeExamples refuses a row prepareTask did not make, by its index, writing nothing', async () => {
		const good = prepareTask({ text: 'a' }, { contentLimit: await store.contentLimit() });
		// A row whose content is text instead of the bytes to bind, and one whose hashes are not integers.
		const text = { ...good, content: good.content.toString('utf8') } as unknown as PreparedTask;
		const fraction = { ...good, inputHash: 1.5 };
		for (const [rows, message] of [
			[[good, text], /^Task 1: not a prepared row/],
			[[good, good, fraction], /^Task 2: the hashes must be integers/],
		] as const) {
			const error = (await failure(() => store.writeExamples('base', [...rows]))) as InvalidTaskError;
			expect(error).toBeInstanceOf(InvalidTaskError);
			expect(error.message).toMatch(message);
		}
		expect(await rowCounts(db.config)).toEqual({ dataset: 1, example: 0, link: 0 });
		// The good row alone is written, its content bytes as they are.
		expect((await store.writeExamples('base', [good])).added).toBe(1);
		const [stored] = await collect(store.getExamples('base'));
		expect(stored.raw).toBe(good.content.toString('utf8'));
	});

	it('refuses a session that is neither a name nor true / false', async () => {
		const error = await failure(() => store.addExamples('base', [{ text: 'a' }], { session: 123 } as unknown as AddExamplesOptions));
		expect(error).toBeInstanceOf(ProdigyInputError);
		expect(error.message).toMatch(/session must be a session name/);
		expect(await rowCounts(db.config)).toEqual({ dataset: 1, example: 0, link: 0 });
	});

	it('applies one rule to names differing only in case', async () => {
		await store.createDataset('Foo');
		if (backend === 'mysql') {
			// MySQL's collation makes "foo" and "Foo" one name: creating it says which dataset holds the name.
			for (const create of [() => store.createDataset('foo'), () => store.addExamples('foo', [{ text: 'a' }])]) {
				const error = (await failure(create)) as DatasetExistsError;
				expect(error).toBeInstanceOf(DatasetExistsError);
				expect(error.existing).toBe('Foo');
				expect(error.message).toContain('"Foo"');
			}
			expect(await rowCounts(db.config)).toEqual({ dataset: 2, example: 0, link: 0 });
		} else {
			expect((await store.createDataset('foo')).name).toBe('foo');
		}
		// Lookups are exact everywhere.
		expect((await store.getDataset('Foo'))?.name).toBe('Foo');
		expect((await store.getDataset('foo'))?.name ?? null).toBe(backend === 'mysql' ? null : 'foo');
	});
});
