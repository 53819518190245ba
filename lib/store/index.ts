// The store's entry point: openStore(config) → the one ProdigyStore implementation over the config's backend.
// Nothing connects until the first operation, so opening a store never fails and never blocks.
import { ProdigyInputError } from '../errors';
import type { Dialect } from './dialect';
import { MysqlDialect } from './mysql';
import { PostgresDialect } from './postgres';
import { SqliteDialect } from './sqlite';
import { Store } from './store';
import type { ProdigyStore, StoreConfig } from './types';

export * from './types';
export { prodigySchema, prodigySchemaScript, PRODIGY_TABLES } from './schema';
export { DatabaseError } from './dialect';

function dialectFor(config: StoreConfig): Dialect {
	switch (config.type) {
		case 'sqlite':
			return new SqliteDialect(config.path, config.busyTimeoutMs);
		case 'postgres':
			return new PostgresDialect(config);
		case 'mysql':
			return new MysqlDialect(config);
		default:
			throw new ProdigyInputError(`Unknown database type "${String((config as { type?: unknown }).type)}"`, {
				hint: 'Use "sqlite", "postgres" or "mysql".',
			});
	}
}

/** A store for Prodigy's database. Call close() when done: it ends the connection pool / closes the file. */
export function openStore(config: StoreConfig): ProdigyStore {
	return new Store(dialectFor(config));
}
