// Reading raw rows the way Prodigy would, whatever the driver returns (Buffer / Uint8Array, bigint strings, 0/1).
import { openStore } from '../../lib/store';
import type { ExampleRecord, JsonObject, StoreConfig } from '../../lib/store/types';
import { rawQuery } from './databases';

export function text(value: unknown): string {
	if (typeof value === 'string') return value;
	if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
	throw new Error(`not text: ${String(value)}`);
}

export function bool(value: unknown): boolean {
	return value === true || value === 1 || value === '1';
}

export interface RawExample {
	id: number;
	inputHash: number;
	taskHash: number;
	content: string;
}

export async function rawExamples(config: StoreConfig): Promise<RawExample[]> {
	const rows = await rawQuery(config, 'SELECT id, input_hash, task_hash, content FROM example ORDER BY id');
	return rows.map((row) => ({ id: Number(row.id), inputHash: Number(row.input_hash), taskHash: Number(row.task_hash), content: text(row.content) }));
}

export async function rawLinks(config: StoreConfig): Promise<Array<{ id: number; exampleId: number; dataset: string }>> {
	const rows = await rawQuery(
		config,
		'SELECT link.id AS id, link.example_id AS example_id, dataset.name AS name FROM link JOIN dataset ON dataset.id = link.dataset_id ORDER BY link.id',
	);
	return rows.map((row) => ({ id: Number(row.id), exampleId: Number(row.example_id), dataset: String(row.name) }));
}

export async function rawDatasets(config: StoreConfig): Promise<Array<{ id: number; name: string; created: number; meta: string; session: boolean }>> {
	const rows = await rawQuery(config, 'SELECT id, name, created, meta, session FROM dataset ORDER BY id');
	return rows.map((row) => ({ id: Number(row.id), name: String(row.name), created: Number(row.created), meta: text(row.meta), session: bool(row.session) }));
}

/** Counts of the three tables, or null when Prodigy's tables do not exist. */
export async function rowCounts(config: StoreConfig): Promise<{ dataset: number; example: number; link: number } | null> {
	try {
		const [row] = await rawQuery(
			config,
			'SELECT (SELECT COUNT(*) FROM dataset) AS d, (SELECT COUNT(*) FROM example) AS e, (SELECT COUNT(*) FROM link) AS l',
		);
		return { dataset: Number(row.d), example: Number(row.e), link: Number(row.l) };
	} catch (error) {
		if (/no such table|does not exist|doesn't exist/i.test(String((error as Error).message))) return null;
		// eslint-disable-next-line @n8n/community-nodes/require-node-api-error -- a test helper, not a node
		throw error;
	}
}

export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
	const result: T[] = [];
	for await (const item of iterable) result.push(item);
	return result;
}

export function linkIds(records: ExampleRecord[]): number[] {
	return records.map((record) => record.linkId);
}

/** A dataset's meta as stored (through the store, so it reads like the nodes do); {} when the dataset has none. */
export async function datasetMeta(config: StoreConfig, dataset: string): Promise<JsonObject> {
	const store = openStore(config);
	try {
		return (await store.getDataset(dataset))?.meta ?? {};
	} finally {
		await store.close();
	}
}

/**
 * Links an example row holding `content` byte for byte (e.g. text that is not JSON, as a foreign writer or a
 * truncating MySQL could leave it) to the dataset, written with SQL as no store would; returns its example id.
 */
export async function linkRawContent(config: StoreConfig, datasetId: number, content: string): Promise<number> {
	const hex = Buffer.from(content, 'utf8').toString('hex');
	const blob = config.type === 'postgres' ? `decode('${hex}', 'hex')` : `X'${hex}'`;
	await rawQuery(config, `INSERT INTO example (input_hash, task_hash, content) VALUES (1, 2, ${blob})`);
	const [{ id }] = await rawQuery(config, 'SELECT MAX(id) AS id FROM example');
	await rawQuery(config, `INSERT INTO link (example_id, dataset_id) VALUES (${Number(id)}, ${datasetId})`);
	return Number(id);
}
