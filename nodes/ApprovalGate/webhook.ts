import type { INodeExecutionData, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import {
	ApprovalRequestClosedError,
	decideApprovalRequest,
	decisionForRequest,
	findApprovalRequest,
	isExpired,
	linkTokenMatches,
	requestBelongsTo,
	type ApprovalRecord,
	type ApprovalRequest,
} from '../../lib/approvals';
import { errorMessage } from '../shared/errors';
import { withWebhookStore, type StoreScope } from '../shared/store';
import { APPROVED, decisionJson, fieldName, outputCount, REJECTED } from './decision';
import { STATUS_WEBHOOK } from './description';
import { LINK_TOKEN, RESUME_TOKEN, withQuery } from './links';
import { PAGE_HEADERS, readableTime, renderApprovalPage, renderOutcomePage } from './page';

function send(ctx: IWebhookFunctions, status: number, html: string, headers: Record<string, string> = {}): void {
	const res = ctx.getResponseObject();
	res.status(status);
	for (const [name, value] of Object.entries({ ...PAGE_HEADERS, ...headers })) res.setHeader(name, value);
	res.end(html);
}

function firstString(value: unknown): string {
	if (Array.isArray(value)) return firstString(value[0]);
	return typeof value === 'string' ? value : '';
}

const CHECK_LINK = 'Open the link exactly as you received it; a link only works for the request it was sent for.';

/** The page for a link whose request is not open: decided, timed out, or not this execution's node's at all. */
function closedPage(decided: ApprovalRecord | null, expired: ApprovalRequest | null): { status: number; html: string } {
	if (decided && !decided.reasons.includes('timeout')) {
		return { status: 410, html: renderOutcomePage('Already decided', 'This approval request has already been decided; there is nothing more to do here.', decided) };
	}
	if (decided || expired) {
		const until = expired?.expiresAt ? ` on ${readableTime(expired.expiresAt)}` : '';
		return { status: 410, html: renderOutcomePage('Approval request expired', `The time to decide on this request ran out${until}.`, decided) };
	}
	return { status: 404, html: renderOutcomePage('Approval request not found', `There is no approval request for this link. ${CHECK_LINK}`) };
}

/**
 * Both of the gate's webhooks. On the resume URL (n8n calls it only while the execution waits here): GET shows the
 * approver page and never changes anything (link scanners and previews fetch URLs); POST with a name and Approve /
 * Reject decides: the request is closed and the decision recorded in one transaction, then the execution resumes
 * on the matching output. On the status link (a published workflow's approver link, served whatever became of the
 * execution): GET only, the approver page while the request waits, the decision once made. Every answer is one of
 * our pages: an error thrown from here would reach the approver as n8n's JSON error body, which outside
 * production carries a stack trace with server paths.
 */
export async function approvalWebhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
	const query = this.getRequestObject().query as Record<string, unknown>;
	const dataset = firstString(query.dataset);
	const requestId = firstString(query.request);
	if (!dataset || !requestId) {
		send(this, 400, renderOutcomePage('Invalid approval link', `The link is incomplete. ${CHECK_LINK}`));
		return { noWebhookResponse: true };
	}
	const onStatusLink = this.getWebhookName() === STATUS_WEBHOOK;
	let answered: IWebhookResponseData | undefined;
	try {
		return await withWebhookStore(
			this,
			async (scope) =>
				(answered = onStatusLink
					? await statusPage(this, scope, dataset, requestId, firstString(query[LINK_TOKEN]))
					: await answer(this, scope, dataset, requestId)),
		);
	} catch (error) {
		// The message is the store's, secrets already blanked (withWebhookStore); it goes to n8n's log, not the page.
		this.logger.error(`Approval Gate "${this.getNode().name}" could not answer the approver's ${this.getRequestObject().method} request: ${errorMessage(error)}`);
		// Closing the store failed after the request was answered (and perhaps decided): the answer stands.
		if (answered) return answered;
		if (!this.getResponseObject().headersSent) {
			const post = this.getRequestObject().method === 'POST';
			send(
				this,
				500,
				renderOutcomePage(
					post ? 'Decision not recorded' : 'Approval request unavailable',
					`${post ? 'Your decision could not be recorded' : 'This approval request could not be loaded'} because of a problem on the server. ` +
						'Open the link again in a few minutes: it shows whether the request is still open. If this keeps happening, tell whoever runs the workflow.',
				),
			);
		}
		return { noWebhookResponse: true };
	}
}

/**
 * The status link's page. It reads the dataset meta only, so it answers the same before, during and long after the
 * execution: the form while the request waits (posting to the execution's resume URL with the link's token), then
 * the recorded decision. The form needs the token the link was sent with; the decision is shown to any link naming
 * the request (it is what the dataset's audit trail says about it).
 */
async function statusPage(
	ctx: IWebhookFunctions,
	{ store }: StoreScope,
	dataset: string,
	requestId: string,
	token: string,
): Promise<IWebhookResponseData> {
	const info = (await store.hasSchema()) ? await store.getDataset(dataset) : null;
	const found = info ? findApprovalRequest(info.meta, requestId) : null;
	// Only this node's requests; one opened without a status link cannot be decided from here.
	const request = found && found.nodeId === ctx.getNode().id && found.resumeUrl ? found : null;
	const now = new Date();
	if (request && !isExpired(request, now)) {
		if (!linkTokenMatches(request, token)) {
			send(ctx, 404, renderOutcomePage('Approval request not found', `There is no approval request for this link. ${CHECK_LINK}`));
		} else {
			const action = withQuery(request.resumeUrl as string, RESUME_TOKEN, token);
			send(ctx, 200, renderApprovalPage({ dataset, request, message: request.message, action }));
		}
		return { noWebhookResponse: true };
	}
	const decided = info ? decisionForRequest(info.meta, requestId) : null;
	if (decided && !decided.reasons.includes('timeout')) {
		const title = decided.decision === 'approved' ? 'Approved' : 'Rejected';
		send(ctx, 200, renderOutcomePage(title, 'This approval request has been decided; there is nothing more to do here.', decided));
		return { noWebhookResponse: true };
	}
	const page = closedPage(decided, request);
	send(ctx, page.status, page.html);
	return { noWebhookResponse: true };
}

async function answer(ctx: IWebhookFunctions, { store, nodeError }: StoreScope, dataset: string, requestId: string): Promise<IWebhookResponseData> {
	const req = ctx.getRequestObject();
	const info = (await store.hasSchema()) ? await store.getDataset(dataset) : null;
	// Another execution's (or node's) request is "not found" here: the link must not even reveal it exists.
	const binding = { executionId: ctx.getExecutionId() || undefined, nodeId: ctx.getNode().id };
	const found = info ? findApprovalRequest(info.meta, requestId) : null;
	const request = found && requestBelongsTo(found, binding) ? found : null;
	const now = new Date();
	if (!info || !request || isExpired(request, now)) {
		const record = info ? decisionForRequest(info.meta, requestId) : null;
		const decided = record && (record.executionId ?? '') === (binding.executionId ?? '') ? record : null;
		const page = closedPage(decided, request && isExpired(request, now) ? request : null);
		send(ctx, page.status, page.html);
		return { noWebhookResponse: true };
	}

	const message = request.message;
	if (req.method !== 'POST') {
		send(ctx, 200, renderApprovalPage({ dataset, request, message }));
		return { noWebhookResponse: true };
	}

	const body = ctx.getBodyData();
	const name = firstString(body.name).trim().slice(0, 200);
	const comment = firstString(body.comment).trim().slice(0, 2000);
	const choice = firstString(body.decision);
	if (!name || (choice !== 'approve' && choice !== 'reject')) {
		const error = !name ? 'Please enter your name.' : 'Please choose Approve or Reject.';
		send(ctx, 400, renderApprovalPage({ dataset, request, message, error, name, comment }));
		return { noWebhookResponse: true };
	}
	// Read before deciding, so nothing can fail between recording the decision and resuming the execution.
	const field = fieldName(ctx.getNodeParameter('resultField', 'approval'));
	const outputs = outputCount((parameter) => ctx.getNodeParameter(parameter, undefined));
	let approval: ApprovalRecord;
	try {
		({ approval } = await decideApprovalRequest(store, dataset, requestId, {
			decision: choice === 'approve' ? 'approved' : 'rejected',
			approver: name,
			comment: comment || undefined,
			now,
		}));
	} catch (error) {
		if (!(error instanceof ApprovalRequestClosedError)) throw nodeError(error, 0);
		// Someone else decided (or the wait ran out) between reading the request and this POST's transaction.
		const page = closedPage(error.decided, null);
		send(ctx, error.decided?.approver ? 409 : page.status, page.html);
		return { noWebhookResponse: true };
	}
	const recorded = renderOutcomePage(
		approval.decision === 'approved' ? 'Approved' : 'Rejected',
		'Your decision has been recorded. You can close this page.',
		approval,
	);
	const signature = firstString(req.query[RESUME_TOKEN]);
	if (request.statusUrl && signature) {
		// Post/redirect/get to the status link: reloading the page or coming back to it later asks the status link,
		// which keeps answering, not this resume URL, which n8n answers itself once the execution has gone on.
		send(ctx, 303, recorded, { Location: withQuery(request.statusUrl, LINK_TOKEN, signature) });
	} else {
		send(ctx, 200, recorded);
	}
	const item: INodeExecutionData = {
		json: { [field]: decisionJson(dataset, request.versionId, approval, request.checks) },
		pairedItem: { item: 0 },
	};
	const workflowData: INodeExecutionData[][] = Array.from({ length: outputs }, () => []);
	workflowData[approval.decision === 'approved' ? APPROVED : REJECTED].push(item);
	return { noWebhookResponse: true, workflowData };
}
