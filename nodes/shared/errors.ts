import type { ICredentialDataDecryptedObject, INode, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { errorMessage as coreErrorMessage, ProdigyError, ProdigyInputError } from '../../lib/errors';
import { scrubSecrets } from '../../lib/store/dialect';

const SECRET_FIELDS = ['password', 'ca'];

function textField(credentials: ICredentialDataDecryptedObject | undefined, field: string): string | undefined {
	const value = credentials?.[field];
	return typeof value === 'string' ? value : undefined;
}

/**
 * `text` with every secret of the credential blanked out (drivers sometimes echo them): the password and CA, a user,
 * database or host that is not a plain name (it may be a connection string pasted into the wrong field), and
 * anything shaped like a URL's `user:password@` or a `password=…` pair.
 */
export function scrubCredentialSecrets(text: string, credentials?: ICredentialDataDecryptedObject): string {
	let message = text;
	for (const field of SECRET_FIELDS) {
		const secret = textField(credentials, field);
		if (secret !== undefined && secret.length >= 3) message = message.split(secret).join('***');
	}
	return scrubSecrets(message, {
		user: textField(credentials, 'user'),
		database: textField(credentials, 'database'),
		host: textField(credentials, 'host'),
	});
}

/** The error's message with every secret of the credential blanked out (see scrubCredentialSecrets). */
export function errorMessage(error: unknown, credentials?: ICredentialDataDecryptedObject): string {
	return scrubCredentialSecrets(coreErrorMessage(error), credentials);
}

/**
 * Maps a failure to n8n's error types: the user's input → NodeOperationError (with the core's hint as description),
 * anything from the database or server → NodeApiError. Always item-indexed; never carries a secret.
 */
export function toNodeError(
	node: INode,
	error: unknown,
	itemIndex: number,
	credentials?: ICredentialDataDecryptedObject,
): NodeOperationError | NodeApiError {
	if (error instanceof NodeOperationError || error instanceof NodeApiError) return error;
	const message = errorMessage(error, credentials);
	const hint = error instanceof ProdigyError ? error.hint : undefined;
	const description = hint === undefined ? undefined : scrubCredentialSecrets(hint, credentials);
	if (error instanceof ProdigyInputError) {
		return new NodeOperationError(node, message, { itemIndex, description });
	}
	return new NodeApiError(node, { message } as JsonObject, { message, description, itemIndex });
}
