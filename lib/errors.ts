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
	constructor(dataset: string) {
		super(`Dataset "${dataset}" already exists`, { hint: 'Choose another name, or add examples to the existing dataset.' });
		this.dataset = dataset;
	}
}

/** The database or server could not be reached or refused the request. */
export class ProdigyConnectionError extends ProdigyError {}
