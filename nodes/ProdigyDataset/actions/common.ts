import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { toPlainJson } from '../../../lib/json';
import { ProdigyInputError } from '../../../lib/errors';
import type { DatasetInfo, DedupeMode } from '../../../lib/store/types';

/** "1 link", "3 links": counts in the sentences outputs and errors say. */
export function plural(count: number, noun: string): string {
	return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** Unix seconds → ISO 8601, for people and for n8n's date handling; null stays null. */
export function isoTime(seconds: number | null | undefined): string | null {
	return typeof seconds === 'number' && Number.isFinite(seconds) ? new Date(seconds * 1000).toISOString() : null;
}

/** A dataset row as an output item: Prodigy's fields plus `createdAt` for readability. */
export function datasetJson(info: DatasetInfo): IDataObject {
	return {
		id: info.id,
		name: info.name,
		created: info.created,
		createdAt: isoTime(info.created),
		session: info.session,
		meta: toPlainJson(info.meta) as IDataObject,
	};
}

/** Return All / Limit, the n8n convention for list operations. */
export function returnAllOrLimit(): INodeProperties[] {
	return [
		{
			displayName: 'Return All',
			name: 'returnAll',
			type: 'boolean',
			default: false,
			description: 'Whether to return all results or only up to a given limit',
		},
		{
			displayName: 'Limit',
			name: 'limit',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 50,
			description: 'Max number of results to return',
			displayOptions: { show: { returnAll: [false] } },
		},
	];
}

/** The limit to apply, or undefined for all. */
export function readLimit(ctx: IExecuteFunctions, itemIndex: number): number | undefined {
	if (ctx.getNodeParameter('returnAll', itemIndex, false) as boolean) return undefined;
	return ctx.getNodeParameter('limit', itemIndex, 50) as number;
}

/** A JSON parameter (type 'json') as an object: n8n gives JSON text, or an object when it comes from an expression. */
export function readJsonObject(value: unknown, what: string): IDataObject {
	let parsed = value;
	if (typeof value === 'string') {
		if (value.trim() === '') return {};
		try {
			parsed = JSON.parse(value) as unknown;
		} catch (error) {
			throw invalidJson(what, error);
		}
	}
	if (parsed === undefined || parsed === null) return {};
	if (typeof parsed !== 'object' || Array.isArray(parsed)) {
		throw new ProdigyInputError(`${what} must be a JSON object`, { hint: 'Use the form {"key": "value"}.' });
	}
	return parsed as IDataObject;
}

/** The meta Prodigy's `dataset` command writes (description, author), plus the user's custom fields. */
export function metaFromOptions(options: IDataObject): IDataObject {
	const meta: IDataObject = { ...readJsonObject(options.customMeta, 'Custom Meta') };
	if (typeof options.description === 'string' && options.description !== '') meta.description = options.description;
	if (typeof options.author === 'string' && options.author !== '') meta.author = options.author;
	return meta;
}

function invalidJson(what: string, error: unknown): ProdigyInputError {
	return new ProdigyInputError(`${what} is not valid JSON: ${(error as Error).message}`, {
		hint: 'Use the form {"key": "value"}.',
	});
}

/**
 * Skip Duplicates, as Add and Merge offer it. `things` names what is added ("tasks", "examples"), `target` where
 * ("the dataset", "the target").
 */
export function skipDuplicatesOption(things: string, target: string, fallback: DedupeMode): INodeProperties {
	return {
		displayName: 'Skip Duplicates',
		name: 'dedupe',
		type: 'options',
		options: [
			{ name: 'No (Like Prodigy)', value: 'none', description: `Add every one of the ${things}, as Prodigy does` },
			{
				name: 'Same Input',
				value: 'input',
				description: `Skip ${things} whose input (text, image...) ${target} already has, or an earlier one of this run`,
			},
			{
				name: 'Same Question',
				value: 'task',
				description: `Skip ${things} whose input and question (label, spans, options...) ${target} already has, or an earlier one of this run`,
			},
		],
		default: fallback,
		description: `Whether to skip ${things} ${target} already holds`,
	};
}
