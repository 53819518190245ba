import type { ICredentialDataDecryptedObject, INode, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { errorMessage as coreErrorMessage, ProdigyError, ProdigyInputError } from '../../lib/errors';

const SECRET_FIELDS = ['password', 'ca'];

/** The error's message with every secret of the credential blanked out (drivers sometimes echo them). */
export function errorMessage(error: unknown, credentials?: ICredentialDataDecryptedObject): string {
	let message = coreErrorMessage(error);
	for (const field of SECRET_FIELDS) {
		const secret = credentials?.[field];
		if (typeof secret === 'string' && secret.length >= 3) message = message.split(secret).join('***');
	}
	return message;
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
	const description = error instanceof ProdigyError ? error.hint : undefined;
	if (error instanceof ProdigyInputError) {
		return new NodeOperationError(node, message, { itemIndex, description });
	}
	return new NodeApiError(node, { message } as JsonObject, { message, description, itemIndex });
}
