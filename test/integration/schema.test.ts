// The store creates exactly Prodigy's schema (so Prodigy connecting afterwards finds nothing to create), works on a
// database Prodigy created, and never alters an existing one. The reference DDL below is copied from
// docs/prodigy.md §2 (what peewee 3 emits for Prodigy's models), independent of lib/store/schema.ts.
import { writeFileSync } from 'node:fs';

import { openStore, type ProdigyStore, type StoreConfig } from '../../lib/store';
import { BACKENDS, createTestDatabase, rawExec, rawQuery, type BackendName, type TestDatabase } from '../helpers/databases';

const REFERENCE_DDL: Record<BackendName, string> = {
	sqlite: `CREATE TABLE IF NOT EXISTS "dataset" ("id" INTEGER NOT NULL PRIMARY KEY, "name" VARCHAR(255) NOT NULL, "created" INTEGER NOT NULL, "meta" BLOB NOT NULL, "session" INTEGER NOT NULL);
CREATE UNIQUE INDEX IF NOT EXISTS "dataset_name" ON "dataset" ("name");
CREATE TABLE IF NOT EXISTS "example" ("id" INTEGER NOT NULL PRIMARY KEY, "input_hash" INTEGER NOT NULL, "task_hash" INTEGER NOT NULL, "content" BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS "link" ("id" INTEGER NOT NULL PRIMARY KEY, "example_id" INTEGER NOT NULL, "dataset_id" INTEGER NOT NULL, FOREIGN KEY ("example_id") REFERENCES "example" ("id"), FOREIGN KEY ("dataset_id") REFERENCES "dataset" ("id"));
CREATE INDEX IF NOT EXISTS "link_example_id" ON "link" ("example_id");
CREATE INDEX IF NOT EXISTS "link_dataset_id" ON "link" ("dataset_id");`,
	postgres: `CREATE TABLE IF NOT EXISTS "dataset" ("id" SERIAL NOT NULL PRIMARY KEY, "name" VARCHAR(255) NOT NULL, "created" BIGINT NOT NULL, "meta" BYTEA NOT NULL, "session" BOOLEAN NOT NULL);
CREATE UNIQUE INDEX "dataset_name" ON "dataset" ("name");
CREATE TABLE IF NOT EXISTS "example" ("id" SERIAL NOT NULL PRIMARY KEY, "input_hash" BIGINT NOT NULL, "task_hash" BIGINT NOT NULL, "content" BYTEA NOT NULL);
CREATE TABLE IF NOT EXISTS "link" ("id" SERIAL NOT NULL PRIMARY KEY, "example_id" INTEGER NOT NULL, "dataset_id" INTEGER NOT NULL, FOREIGN KEY ("example_id") REFERENCES "example" ("id"), FOREIGN KEY ("dataset_id") REFERENCES "dataset" ("id"));
CREATE INDEX "link_example_id" ON "link" ("example_id");
CREATE INDEX "link_dataset_id" ON "link" ("dataset_id");`,
	mysql: `CREATE TABLE IF NOT EXISTS \`dataset\` (\`id\` INTEGER AUTO_INCREMENT NOT NULL PRIMARY KEY, \`name\` VARCHAR(255) NOT NULL, \`created\` BIGINT NOT NULL, \`meta\` BLOB NOT NULL, \`session\` BOOL NOT NULL);
CREATE UNIQUE INDEX \`dataset_name\` ON \`dataset\` (\`name\`);
CREATE TABLE IF NOT EXISTS \`example\` (\`id\` INTEGER AUTO_INCREMENT NOT NULL PRIMARY KEY, \`input_hash\` BIGINT NOT NULL, \`task_hash\` BIGINT NOT NULL, \`content\` BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS \`link\` (\`id\` INTEGER AUTO_INCREMENT NOT NULL PRIMARY KEY, \`example_id\` INTEGER NOT NULL, \`dataset_id\` INTEGER NOT NULL, FOREIGN KEY (\`example_id\`) REFERENCES \`example\` (\`id\`), FOREIGN KEY (\`dataset_id\`) REFERENCES \`dataset\` (\`id\`));
CREATE INDEX \`link_example_id\` ON \`link\` (\`example_id\`);
CREATE INDEX \`link_dataset_id\` ON \`link\` (\`dataset_id\`);`,
};

/** Everything about the schema a client could notice, as comparable text. */
async function schemaFingerprint(config: StoreConfig): Promise<string[]> {
	if (config.type === 'sqlite') {
		const rows = await rawQuery(config, "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name");
		return rows.map((row) => `${String(row.type)} ${String(row.name)} on ${String(row.tbl_name)}: ${String(row.sql)}`);
	}
	if (config.type === 'postgres') {
		const columns = await rawQuery(
			config,
			"SELECT table_name, column_name, data_type, is_nullable, column_default, character_maximum_length FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, ordinal_position",
		);
		const indexes = await rawQuery(config, "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY indexname");
		const constraints = await rawQuery(
			config,
			"SELECT conrelid::regclass::text AS tbl, conname, pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE connamespace = 'public'::regnamespace ORDER BY conname",
		);
		const sequences = await rawQuery(config, "SELECT sequencename, data_type FROM pg_sequences WHERE schemaname = 'public' ORDER BY sequencename");
		return [
			...columns.map((c) => `column ${String(c.table_name)}.${String(c.column_name)} ${String(c.data_type)}(${String(c.character_maximum_length)}) nullable=${String(c.is_nullable)} default=${String(c.column_default)}`),
			...indexes.map((i) => `index ${String(i.indexname)}: ${String(i.indexdef)}`),
			...constraints.map((c) => `constraint ${String(c.tbl)}.${String(c.conname)}: ${String(c.def)}`),
			...sequences.map((s) => `sequence ${String(s.sequencename)} ${String(s.data_type)}`),
		];
	}
	const tables = await rawQuery(config, 'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE() ORDER BY table_name');
	const result: string[] = [];
	for (const table of tables) {
		const [row] = await rawQuery(config, `SHOW CREATE TABLE \`${String(table.name)}\``);
		// The AUTO_INCREMENT counter is data, not structure.
		result.push(String(row['Create Table']).replace(/ AUTO_INCREMENT=\d+/, ''));
	}
	return result;
}

describe.each(BACKENDS)('Prodigy schema on %s', (backend) => {
	let db: TestDatabase;
	let store: ProdigyStore;

	beforeEach(async () => {
		db = await createTestDatabase(backend);
		store = openStore(db.config);
	});
	afterEach(async () => {
		await store.close();
		await db.cleanup();
	});

	it('creates nothing until asked, then exactly the reference schema', async () => {
		// SQLite: an empty file, as `touch prodigy.db` leaves it (a read where no file exists fails instead).
		if (db.config.type === 'sqlite') writeFileSync(db.config.path, '');
		expect(await store.hasSchema()).toBe(false);
		expect(await store.listDatasets()).toEqual([]);
		expect(await store.getDataset('anything')).toBeNull();
		expect(await schemaFingerprint(db.config)).toEqual([]);

		await store.ensureSchema();
		expect(await store.hasSchema()).toBe(true);
		const ours = await schemaFingerprint(db.config);

		const reference = await createTestDatabase(backend);
		try {
			await rawExec(reference.config, REFERENCE_DDL[backend]);
			expect(ours).toEqual(await schemaFingerprint(reference.config));
		} finally {
			await reference.cleanup();
		}
	});

	it('has the types Prodigy declares (checked column by column, not only against the reference run)', async () => {
		await store.ensureSchema();
		if (backend === 'sqlite') {
			const sql = (await rawQuery(db.config, 'SELECT sql FROM sqlite_master WHERE sql IS NOT NULL')).map((row) => String(row.sql)).sort();
			// SQLite keeps each CREATE statement as written, minus IF NOT EXISTS.
			const expected = REFERENCE_DDL.sqlite
				.split('\n')
				.map((statement) => statement.replace(/;$/, '').replace(' IF NOT EXISTS', ''))
				.sort();
			expect(sql).toEqual(expected);
		} else if (backend === 'postgres') {
			const columns = await rawQuery(
				db.config,
				"SELECT table_name || '.' || column_name AS col, data_type, is_nullable, column_default FROM information_schema.columns WHERE table_schema = 'public'",
			);
			const type = Object.fromEntries(columns.map((c) => [String(c.col), String(c.data_type)]));
			expect(type).toEqual({
				'dataset.id': 'integer',
				'dataset.name': 'character varying',
				'dataset.created': 'bigint',
				'dataset.meta': 'bytea',
				'dataset.session': 'boolean',
				'example.id': 'integer',
				'example.input_hash': 'bigint',
				'example.task_hash': 'bigint',
				'example.content': 'bytea',
				'link.id': 'integer',
				'link.example_id': 'integer',
				'link.dataset_id': 'integer',
			});
			expect(columns.every((c) => c.is_nullable === 'NO')).toBe(true);
			expect(columns.filter((c) => c.column_default !== null).map((c) => String(c.column_default)).sort()).toEqual([
				"nextval('dataset_id_seq'::regclass)",
				"nextval('example_id_seq'::regclass)",
				"nextval('link_id_seq'::regclass)",
			]);
			const indexes = (await rawQuery(db.config, "SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY indexname")).map((r) =>
				String(r.indexdef),
			);
			expect(indexes).toEqual([
				'CREATE UNIQUE INDEX dataset_name ON public.dataset USING btree (name)',
				'CREATE UNIQUE INDEX dataset_pkey ON public.dataset USING btree (id)',
				'CREATE UNIQUE INDEX example_pkey ON public.example USING btree (id)',
				'CREATE INDEX link_dataset_id ON public.link USING btree (dataset_id)',
				'CREATE INDEX link_example_id ON public.link USING btree (example_id)',
				'CREATE UNIQUE INDEX link_pkey ON public.link USING btree (id)',
			]);
		} else {
			const columns = await rawQuery(
				db.config,
				"SELECT CONCAT(table_name, '.', column_name) AS col, column_type, is_nullable, extra FROM information_schema.columns WHERE table_schema = DATABASE()",
			);
			const type = Object.fromEntries(columns.map((c) => [String(c.col), `${String(c.column_type)} ${String(c.extra)}`.trim()]));
			expect(type).toEqual({
				'dataset.id': 'int(11) auto_increment',
				'dataset.name': 'varchar(255)',
				'dataset.created': 'bigint(20)',
				'dataset.meta': 'blob',
				'dataset.session': 'tinyint(1)',
				'example.id': 'int(11) auto_increment',
				'example.input_hash': 'bigint(20)',
				'example.task_hash': 'bigint(20)',
				'example.content': 'blob',
				'link.id': 'int(11) auto_increment',
				'link.example_id': 'int(11)',
				'link.dataset_id': 'int(11)',
			});
			expect(columns.every((c) => c.is_nullable === 'NO')).toBe(true);
			const indexes = await rawQuery(
				db.config,
				'SELECT DISTINCT table_name AS t, index_name AS i, non_unique AS nu FROM information_schema.statistics WHERE table_schema = DATABASE() ORDER BY table_name, index_name',
			);
			expect(indexes.map((r) => `${String(r.t)}.${String(r.i)} unique=${Number(r.nu) === 0}`)).toEqual([
				'dataset.dataset_name unique=true',
				'dataset.PRIMARY unique=true',
				'example.PRIMARY unique=true',
				'link.link_dataset_id unique=false',
				'link.link_example_id unique=false',
				'link.PRIMARY unique=true',
			]);
		}
	});

	it('running ensureSchema again, or on a database Prodigy created, changes nothing', async () => {
		await rawExec(db.config, REFERENCE_DDL[backend]);
		const before = await schemaFingerprint(db.config);
		expect(await store.hasSchema()).toBe(true);
		await store.ensureSchema();
		await store.addExamples('news', [{ text: 'one' }], { session: 'alex' });
		const fresh = openStore(db.config);
		try {
			await fresh.ensureSchema();
		} finally {
			await fresh.close();
		}
		expect(await schemaFingerprint(db.config)).toEqual(before);
	});

	it('reads and extends data written the way Prodigy writes it', async () => {
		await rawExec(db.config, REFERENCE_DDL[backend]);
		const session = backend === 'postgres' ? 'true' : '1';
		const notSession = backend === 'postgres' ? 'false' : '0';
		// Prodigy's content: json.dumps-style spacing, ASCII escapes; meta as UTF-8 JSON; created in seconds.
		const content = '{"text": "Caf\\u00e9 au lait", "_input_hash": 1181052197, "_task_hash": -1306254183, "answer": "accept", "_session_id": "news-alex"}';
		const blob = (text: string) => (backend === 'postgres' ? `decode('${Buffer.from(text).toString('hex')}', 'hex')` : `X'${Buffer.from(text).toString('hex')}'`);
		await rawExec(
			db.config,
			[
				`INSERT INTO dataset (name, created, meta, session) VALUES ('news', 1700000000, ${blob('{"description": "Headlines", "author": "Ines"}')}, ${notSession})`,
				`INSERT INTO dataset (name, created, meta, session) VALUES ('news-alex', 1700000100, ${blob('{}')}, ${session})`,
				`INSERT INTO example (input_hash, task_hash, content) VALUES (1181052197, -1306254183, ${blob(content)})`,
				'INSERT INTO link (example_id, dataset_id) VALUES (1, 1)',
				'INSERT INTO link (example_id, dataset_id) VALUES (1, 2)',
			].join(';\n'),
		);

		expect(await store.listDatasets()).toEqual([{ id: 1, name: 'news', created: 1700000000, meta: { description: 'Headlines', author: 'Ines' }, session: false }]);
		expect((await store.listDatasets({ includeSessions: true })).map((d) => [d.name, d.session])).toEqual([
			['news', false],
			['news-alex', true],
		]);
		const records = [];
		for await (const record of store.getExamples('news')) records.push(record);
		expect(records).toHaveLength(1);
		expect(records[0]).toMatchObject({ linkId: 1, exampleId: 1, datasetId: 1, dataset: 'news', inputHash: 1181052197, taskHash: -1306254183, raw: content });
		expect(records[0].task.text).toBe('Café au lait');
		expect((await store.listSessions('news')).map((s) => [s.name, s.examples])).toEqual([['news-alex', 1]]);

		const added = await store.addExamples('news', [{ text: 'Second' }], { session: 'alex' });
		expect(added.datasetCreated).toBe(false);
		expect(added.sessionDataset).toBe('news-alex');
		expect(await rawQuery(db.config, 'SELECT example_id, dataset_id FROM link ORDER BY id')).toEqual([
			{ example_id: 1, dataset_id: 1 },
			{ example_id: 1, dataset_id: 2 },
			{ example_id: 2, dataset_id: 1 },
			{ example_id: 2, dataset_id: 2 },
		]);
	});

	it('completes a partial schema without touching the table that exists', async () => {
		// A `dataset` table someone created with an extra column: it is used as it is, the others are added.
		const extra =
			backend === 'mysql'
				? 'CREATE TABLE `dataset` (`id` INTEGER AUTO_INCREMENT NOT NULL PRIMARY KEY, `name` VARCHAR(255) NOT NULL, `created` BIGINT NOT NULL, `meta` BLOB NOT NULL, `session` BOOL NOT NULL, `note` VARCHAR(20) NULL)'
				: backend === 'postgres'
					? 'CREATE TABLE "dataset" ("id" SERIAL NOT NULL PRIMARY KEY, "name" VARCHAR(255) NOT NULL, "created" BIGINT NOT NULL, "meta" BYTEA NOT NULL, "session" BOOLEAN NOT NULL, "note" VARCHAR(20) NULL)'
					: 'CREATE TABLE "dataset" ("id" INTEGER NOT NULL PRIMARY KEY, "name" VARCHAR(255) NOT NULL, "created" INTEGER NOT NULL, "meta" BLOB NOT NULL, "session" INTEGER NOT NULL, "note" VARCHAR(20) NULL)';
		await rawExec(db.config, extra);
		const datasetBefore = (await schemaFingerprint(db.config)).filter((line) => /dataset/.test(line));
		expect(await store.hasSchema()).toBe(false);
		await store.ensureSchema();
		expect(await store.hasSchema()).toBe(true);
		const after = await schemaFingerprint(db.config);
		// No dataset_name index was added to the existing table; example and link were created.
		expect(after.filter((line) => /dataset_name/.test(line))).toEqual([]);
		expect(after.some((line) => /link_dataset_id/.test(line))).toBe(true);
		expect(after.filter((line) => /dataset/.test(line) && !/link|example/.test(line))).toEqual(
			datasetBefore.filter((line) => !/link|example/.test(line)),
		);
		await store.addExamples('news', [{ text: 'works' }]);
		expect(await store.countExamples('news')).toBe(1);
	});
});
