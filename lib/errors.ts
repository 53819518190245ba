// Errors the Prodigy core raises. Node glue maps them to NodeOperationError (bad input: the user can fix it)
// or NodeApiError (the database / server failed). Messages never contain credentials.

/**
 * An error's message for people: the first inner error of an AggregateError (Node reports a refused connection to
 * every resolved address that way, with an empty message of its own), else the message, else the value as text.
 * Duck-typed, because socket errors may come from another realm than this module's Error.
 */
export function errorMessage(error: unknown): string {
	const nested = (error as { errors?: unknown } | null)?.errors;
	if (Array.isArray(nested) && nested.length > 0) return errorMessage(nested[0]);
	const message = (error as { message?: unknown } | null)?.message;
	return typeof message === 'string' && message !== '' ? message : String(error);
}

export class ProdigyError extends Error {
	/** How to fix it, shown as the n8n error description. */
	readonly hint?: string;
	constructor(message: string, hint?: string) {
		super(message);
		this.name = new.target.name;
		this.hint = hint;
	}
}

/** The user's input is wrong (names, tasks, options). Nothing was written. */
export class ProdigyInputError extends ProdigyError {
	/** Index of the offending task / line within the call's input, when there is one. */
	readonly index?: number;
	constructor(message: string, options: { hint?: string; index?: number } = {}) {
		super(message, options.hint);
		this.index = options.index;
	}
}

export class InvalidDatasetNameError extends ProdigyInputError {}
export class InvalidTaskError extends ProdigyInputError {}
/** A task's JSON is longer than the backend's content column holds (MySQL BLOB: 65,535 bytes). */
export class ContentTooLargeError extends ProdigyInputError {}

export class DatasetNotFoundError extends ProdigyInputError {
	readonly dataset: string;
	constructor(dataset: string) {
		super(`Dataset "${dataset}" does not exist`, {
			hint: 'Check the name (it is case-sensitive) or create the dataset first.',
		});
		this.dataset = dataset;
	}
}

export class DatasetExistsError extends ProdigyInputError {
	readonly dataset: string;
	/** The name stored, when the database's collation equates it with `dataset` (MySQL: "Foo" for "foo"). */
	readonly existing?: string;
	constructor(dataset: string, existing?: string) {
		if (existing !== undefined && existing !== dataset) {
			super(`Dataset "${dataset}" cannot be created: the database treats it as the same name as the existing dataset "${existing}"`, {
				hint: 'MySQL / MariaDB compare dataset names without regard to case (and accents). Use the existing name exactly, or choose a name that differs in more than case.',
			});
		} else {
			super(`Dataset "${dataset}" already exists`, { hint: 'Choose another name, or add examples to the existing dataset.' });
		}
		this.dataset = dataset;
		this.existing = existing;
	}
}

/** The database or server could not be reached or refused the request. */
export class ProdigyConnectionError extends ProdigyError {}

/**
 * A read found no SQLite file at the credential's path (and created none). Prodigy creates the file on its first
 * write, so a caller for whom "no database yet" means "nothing there yet" (a review queue before its first ingest)
 * can tell this apart from a database it cannot reach.
 */
export class DatabaseFileMissingError extends ProdigyConnectionError {}

/**
 * The connection broke while COMMIT was on its way, and reconnecting could not establish whether the database
 * saved the transaction: it was saved completely or not at all, but which is unknown. `hint` says how to recover.
 */
export class CommitOutcomeUnknownError extends ProdigyConnectionError {
	/** Whether the old session is known to be gone, so that what the database holds now is final. */
	settled = false;
	constructor(
		/** What happened, without a verdict: "The connection to … was lost while committing (…)". */
		readonly lost: string,
		hint: string,
		/** What the transaction would have returned had COMMIT been confirmed (the store uses it to check). */
		readonly pendingResult?: unknown,
	) {
		super(`${lost}: outcome unknown — the change was saved completely or not at all`, hint);
	}
}
