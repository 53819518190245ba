// The approver's links. In a manual run: n8n's resume URL of the waiting execution. In a published workflow's run:
// the gate's status link (its production webhook), which keeps answering after the execution has gone on, and
// whose form posts to the resume URL.
import type { IExecuteFunctions, WorkflowExecuteMode } from 'n8n-workflow';
import { NodeHelpers } from 'n8n-workflow';

import { linkTokenHash, type ApprovalRequest } from '../../lib/approvals';
import { STATUS_PATH } from './description';

/** Where n8n's resume URL carries the execution's resume token (n8n-core's WAITING_TOKEN_QUERY_PARAM). */
export const RESUME_TOKEN = 'signature';
/** Where the status link carries the same token (the form needs it to resume). */
export const LINK_TOKEN = 'token';

/** A URL with one query parameter set. */
export function withQuery(url: string, name: string, value: string): string {
	const parsed = new URL(url);
	parsed.searchParams.set(name, value);
	return parsed.toString();
}

/** The approver's link: n8n's resume URL for this execution (with its resume token), this node, our request. */
export function approvalUrl(resumeUrl: string, nodeId: string, dataset: string, requestId: string): string {
	const url = new URL(resumeUrl);
	url.pathname = `${url.pathname.replace(/\/$/, '')}/${encodeURIComponent(nodeId)}`;
	url.searchParams.set('dataset', dataset);
	url.searchParams.set('request', requestId);
	return url.toString();
}

export interface StatusLink {
	/** What the approver gets: the gate's status page for this request, with the token. */
	link: string;
	/** Kept with the request (nothing secret): the link without its token, the resume URL without n8n's token. */
	stored: Required<Pick<ApprovalRequest, 'statusUrl' | 'resumeUrl' | 'tokenHash'>>;
}

/**
 * n8n's production webhook base URL (WEBHOOK_URL or the instance URL, plus the webhook endpoint). n8n hands nodes
 * the production URLs of their webhooks only in webhook and hook contexts; while executing, the value is on the
 * context's additionalData (public in n8n-core's NodeExecutionContext), the same value n8n builds those URLs from.
 */
function webhookBaseUrl(ctx: IExecuteFunctions): string | null {
	const base = (ctx as unknown as { additionalData?: { webhookBaseUrl?: unknown } }).additionalData?.webhookBaseUrl;
	return typeof base === 'string' && base !== '' ? base : null;
}

/**
 * Runs that a published workflow's own trigger or production webhook started: n8n registered that version's
 * production webhooks, the gate's status page among them. (Not the workflow's `active` flag: a queue-mode worker
 * rebuilds the workflow from the execution's snapshot, which does not keep it, so it reads false there.) Manual
 * runs register no production webhooks; sub-workflow, retry, error and CLI runs may run a workflow nobody published.
 */
const PUBLISHED_RUN_MODES: ReadonlySet<WorkflowExecuteMode> = new Set<WorkflowExecuteMode>(['trigger', 'webhook']);

/**
 * The gate's status link when n8n serves it: only in a published workflow's run, and only when the path n8n
 * registers can be reached. Without a webhookId n8n puts the node's name into the path URL-encoded but compares it
 * with the decoded request path, so a name that encoding changes (spaces) would answer 404; such a node keeps the
 * resume URL as its link.
 */
export function statusLink(ctx: IExecuteFunctions, resumeUrl: string, dataset: string, requestId: string): StatusLink | null {
	const workflow = ctx.getWorkflow();
	if (!PUBLISHED_RUN_MODES.has(ctx.getMode()) || !workflow.id) return null;
	const token = new URL(resumeUrl).searchParams.get(RESUME_TOKEN) ?? '';
	const base = webhookBaseUrl(ctx);
	const node = ctx.getNode();
	const name = node.name.toLowerCase();
	if (!token || !base || (node.webhookId === undefined && encodeURIComponent(name) !== name)) return null;
	const statusUrl = withQuery(
		withQuery(NodeHelpers.getNodeWebhookUrl(base, workflow.id, node, STATUS_PATH, false), 'dataset', dataset),
		'request',
		requestId,
	);
	const resume = new URL(approvalUrl(resumeUrl, node.id, dataset, requestId));
	resume.searchParams.delete(RESUME_TOKEN);
	return {
		link: withQuery(statusUrl, LINK_TOKEN, token),
		stored: { statusUrl, resumeUrl: resume.toString(), tokenHash: linkTokenHash(token) },
	};
}
