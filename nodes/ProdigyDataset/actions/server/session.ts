import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { fullSessionId, getProject, type ServerHttp } from '../../../../lib/server';

/** The annotator session parameter the session-bound server operations share. */
export function sessionParameter(required: boolean): INodeProperties {
	const base =
		'The annotator session, as in the app link ?session=alex (the node sends <dataset>-alex, like Prodigy\'s web app)';
	return {
		displayName: 'Session Name',
		name: 'session',
		type: 'string',
		default: '',
		required,
		placeholder: 'e.g. alex',
		description: required ? base : `${base}. Leave empty for the server's default session.`,
	};
}

/**
 * Resolves the session id of an item. Prodigy's web app sends `<dataset>-<session>`, so the server's dataset is
 * asked once (GET /project) and only when a session name is given; an empty name means the default session (null).
 */
export function sessionResolver(ctx: IExecuteFunctions, http: ServerHttp): (itemIndex: number) => Promise<string | null> {
	let dataset: Promise<string | null> | undefined;
	return async (itemIndex) => {
		const name = String(ctx.getNodeParameter('session', itemIndex, '') ?? '').trim();
		if (!name) return null;
		dataset ??= getProject(http).then((project) => (typeof project.dataset === 'string' ? project.dataset : null));
		return fullSessionId(await dataset, name);
	};
}
