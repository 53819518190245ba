// Prodigy's schema, statement for statement as peewee 3 emits it from Prodigy's models with
// `create_tables(safe=True)` (docs/prodigy.md §2). A database created here must look exactly like one
// Prodigy created, so that Prodigy connecting afterwards finds nothing to create: do not reformat these strings.
import type { BackendType } from './types';

export const PRODIGY_TABLES = ['dataset', 'example', 'link'] as const;
export type ProdigyTable = (typeof PRODIGY_TABLES)[number];

/** The statements creating one table and its indexes, in creation order (link references the other two). */
export interface TableDdl {
	table: ProdigyTable;
	statements: string[];
}

const SQLITE: TableDdl[] = [
	{
		table: 'dataset',
		statements: [
			'CREATE TABLE IF NOT EXISTS "dataset" ("id" INTEGER NOT NULL PRIMARY KEY, "name" VARCHAR(255) NOT NULL, "created" INTEGER NOT NULL, "meta" BLOB NOT NULL, "session" INTEGER NOT NULL)',
			'CREATE UNIQUE INDEX IF NOT EXISTS "dataset_name" ON "dataset" ("name")',
		],
	},
	{
		table: 'example',
		statements: [
			'CREATE TABLE IF NOT EXISTS "example" ("id" INTEGER NOT NULL PRIMARY KEY, "input_hash" INTEGER NOT NULL, "task_hash" INTEGER NOT NULL, "content" BLOB NOT NULL)',
		],
	},
	{
		table: 'link',
		statements: [
			'CREATE TABLE IF NOT EXISTS "link" ("id" INTEGER NOT NULL PRIMARY KEY, "example_id" INTEGER NOT NULL, "dataset_id" INTEGER NOT NULL, FOREIGN KEY ("example_id") REFERENCES "example" ("id"), FOREIGN KEY ("dataset_id") REFERENCES "dataset" ("id"))',
			'CREATE INDEX IF NOT EXISTS "link_example_id" ON "link" ("example_id")',
			'CREATE INDEX IF NOT EXISTS "link_dataset_id" ON "link" ("dataset_id")',
		],
	},
];

const POSTGRES: TableDdl[] = [
	{
		table: 'dataset',
		statements: [
			'CREATE TABLE IF NOT EXISTS "dataset" ("id" SERIAL NOT NULL PRIMARY KEY, "name" VARCHAR(255) NOT NULL, "created" BIGINT NOT NULL, "meta" BYTEA NOT NULL, "session" BOOLEAN NOT NULL)',
			'CREATE UNIQUE INDEX "dataset_name" ON "dataset" ("name")',
		],
	},
	{
		table: 'example',
		statements: [
			'CREATE TABLE IF NOT EXISTS "example" ("id" SERIAL NOT NULL PRIMARY KEY, "input_hash" BIGINT NOT NULL, "task_hash" BIGINT NOT NULL, "content" BYTEA NOT NULL)',
		],
	},
	{
		table: 'link',
		statements: [
			'CREATE TABLE IF NOT EXISTS "link" ("id" SERIAL NOT NULL PRIMARY KEY, "example_id" INTEGER NOT NULL, "dataset_id" INTEGER NOT NULL, FOREIGN KEY ("example_id") REFERENCES "example" ("id"), FOREIGN KEY ("dataset_id") REFERENCES "dataset" ("id"))',
			'CREATE INDEX "link_example_id" ON "link" ("example_id")',
			'CREATE INDEX "link_dataset_id" ON "link" ("dataset_id")',
		],
	},
];

const MYSQL: TableDdl[] = [
	{
		table: 'dataset',
		statements: [
			'CREATE TABLE IF NOT EXISTS `dataset` (`id` INTEGER AUTO_INCREMENT NOT NULL PRIMARY KEY, `name` VARCHAR(255) NOT NULL, `created` BIGINT NOT NULL, `meta` BLOB NOT NULL, `session` BOOL NOT NULL)',
			'CREATE UNIQUE INDEX `dataset_name` ON `dataset` (`name`)',
		],
	},
	{
		table: 'example',
		statements: [
			'CREATE TABLE IF NOT EXISTS `example` (`id` INTEGER AUTO_INCREMENT NOT NULL PRIMARY KEY, `input_hash` BIGINT NOT NULL, `task_hash` BIGINT NOT NULL, `content` BLOB NOT NULL)',
		],
	},
	{
		table: 'link',
		statements: [
			'CREATE TABLE IF NOT EXISTS `link` (`id` INTEGER AUTO_INCREMENT NOT NULL PRIMARY KEY, `example_id` INTEGER NOT NULL, `dataset_id` INTEGER NOT NULL, FOREIGN KEY (`example_id`) REFERENCES `example` (`id`), FOREIGN KEY (`dataset_id`) REFERENCES `dataset` (`id`))',
			'CREATE INDEX `link_example_id` ON `link` (`example_id`)',
			'CREATE INDEX `link_dataset_id` ON `link` (`dataset_id`)',
		],
	},
];

const DDL: Record<BackendType, TableDdl[]> = { sqlite: SQLITE, postgres: POSTGRES, mysql: MYSQL };

/** Prodigy's DDL for a backend, grouped per table in creation order. */
export function prodigySchema(backend: BackendType): TableDdl[] {
	return DDL[backend];
}

/** The whole DDL as one `;`-terminated script (what the reference lists), e.g. to create a database by hand. */
export function prodigySchemaScript(backend: BackendType): string {
	return DDL[backend].flatMap((table) => table.statements.map((statement) => `${statement};`)).join('\n');
}

/**
 * The statements to run when only `existing` tables are present. Like peewee's safe create, a table that exists
 * is left alone together with its indexes: an existing database is never altered, only completed.
 */
export function missingSchemaStatements(backend: BackendType, existing: ReadonlySet<string>): string[] {
	return DDL[backend].filter((table) => !existing.has(table.table)).flatMap((table) => table.statements);
}
