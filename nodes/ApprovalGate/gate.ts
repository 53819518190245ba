import { randomUUID } from 'node:crypto';

import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	IWebhookFunctions,
	IWebhookResponseData,
	JsonObject as JsonObjectN8n,
} from 'n8n-workflow';
import { NodeApiError, WAIT_INDEFINITELY } from 'n8n-workflow';

import type { AgreementLabel } from '../../lib/agreement';
import {
	ApprovalRequestClosedError,
	decideApprovalRequest,
	decisionForRequest,
	evaluateRules,
	findApprovalRequest,
	gatherDatasetFacts,
	hasRules,
	isExpired,
	openApprovalRequest,
	recordDecision,
	requestBelongsTo,
	withdrawApprovalRequest,
	type ApprovalFacts,
	type ApprovalRecord,
	type ApprovalRequest,
	type ApprovalRules,
	type CheckResult,
	type Decision,
} from '../../lib/approvals';
import { ProdigyInputError } from '../../lib/errors';
import { setPathValue } from '../../lib/paths';
import type { JsonObject, ProdigyStore } from '../../lib/store/types';
import type { VersionSummary } from '../../lib/versions';
import { errorMessage, toNodeError } from '../shared/errors';
import { decideEach, routeItems } from '../shared/routing';
import { DATABASE_CREDENTIAL, withStore } from '../shared/store';
import { PAGE_HEADERS, renderApprovalPage, renderOutcomePage } from './page';

const APPROVED = 0;
const REJECTED = 1;

interface RuleParameters extends ApprovalRules {
	agreementBy?: AgreementLabel;
}

interface GateFacts {
	facts: ApprovalFacts;
	/** Present when the facts were computed from the dataset: the version they describe. */
	version?: VersionSummary;
	/** Shown on the approver page. */
	summary: JsonObject;
}

/** What every output item carries under the decision field, whichever mode decided. */
export interface DecisionJson extends IDataObject {
	decision: Decision;
	approved: boolean;
	dataset: string;
	versionId: string | null;
	mode: 'rules' | 'human';
	reasons: string[];
	checks: CheckResult[];
	approver: string | null;
	decidedAt: string;
}

function datasetOf(ctx: IExecuteFunctions, itemIndex: number): string {
	return ctx.getNodeParameter('dataset', itemIndex, undefined, { extractValue: true }) as string;
}

function readRules(ctx: IExecuteFunctions, itemIndex: number): { rules: ApprovalRules; agreementBy: AgreementLabel } {
	const raw = ctx.getNodeParameter('rules', itemIndex, {}) as RuleParameters;
	const rules: ApprovalRules = { ...raw };
	delete (rules as RuleParameters).agreementBy;
	if (typeof rules.requiredVersionId === 'string' && rules.requiredVersionId.trim() === '') delete rules.requiredVersionId;
	return { rules, agreementBy: raw.agreementBy ?? 'answer' };
}

function readItemFacts(ctx: IExecuteFunctions, itemIndex: number): GateFacts {
	const raw = ctx.getNodeParameter('facts', itemIndex, {}) as IDataObject;
	const facts: ApprovalFacts = {};
	for (const key of ['annotations', 'annotators', 'rejectShare', 'ignoreShare', 'kappa', 'percentAgreement'] as const) {
		if (raw[key] === undefined || raw[key] === '') continue;
		const value = Number(raw[key]);
		if (!Number.isFinite(value)) {
			throw new ProdigyInputError(`Fact "${key}" is not a number: ${JSON.stringify(raw[key])}`, { index: itemIndex });
		}
		facts[key] = value;
	}
	const versionId = typeof raw.versionId === 'string' ? raw.versionId.trim() : '';
	if (versionId) facts.versionId = versionId;
	return { facts, summary: { ...facts } as JsonObject };
}

async function datasetFacts(store: ProdigyStore, dataset: string, agreementBy: AgreementLabel): Promise<GateFacts> {
	if (!(await store.hasSchema()) || !(await store.getDataset(dataset))) {
		throw new ProdigyInputError(`Dataset "${dataset}" does not exist`, {
			hint: 'Check the name (it is case-sensitive), or create the dataset first.',
		});
	}
	const gathered = await gatherDatasetFacts(store, dataset, { agreementBy });
	const { counts, agreement } = gathered;
	return {
		facts: gathered.facts,
		version: gathered.version,
		summary: {
			Examples: counts.total,
			Answers: `${counts.accept} accept, ${counts.reject} reject, ${counts.ignore} ignore`,
			Annotators: gathered.annotatorIds.join(', ') || '(none recorded)',
			Agreement:
				agreement.kappa === null
					? 'not measurable (no input has two annotators)'
					: `kappa ${agreement.kappa.toFixed(3)} (${agreement.method}), ${((agreement.percentAgreement ?? 0) * 100).toFixed(1)}% over ${agreement.subjects} inputs`,
		},
	};
}

function decisionJson(
	dataset: string,
	versionId: string | null,
	approval: Pick<ApprovalRecord, 'decision' | 'reasons' | 'approver' | 'time' | 'mode' | 'comment' | 'requestId'>,
	checks: CheckResult[],
): DecisionJson {
	const json: DecisionJson = {
		decision: approval.decision,
		approved: approval.decision === 'approved',
		dataset,
		versionId,
		mode: approval.mode,
		reasons: approval.reasons,
		checks,
		approver: approval.approver,
		decidedAt: approval.time,
	};
	if (approval.comment) json.comment = approval.comment;
	if (approval.requestId) json.requestId = approval.requestId;
	return json;
}

function fieldName(value: unknown): string {
	const field = String(value ?? '').trim();
	return field === '' ? 'approval' : field;
}

function resultField(ctx: IExecuteFunctions): string {
	return fieldName(ctx.getNodeParameter('resultField', 0, 'approval'));
}

// ---------------------------------------------------------------------------------------------------------------
// Rules mode

/** Every input item is one decision, recorded in the dataset's audit trail and routed Approved / Rejected. */
export async function executeRules(ctx: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const credentials = await ctx.getCredentials<ICredentialDataDecryptedObject>(DATABASE_CREDENTIAL);
	const field = resultField(ctx);
	return await withStore(credentials, async (store) => {
		// Items naming the same dataset are checked against one pass over it.
		const computed = new Map<string, GateFacts>();
		const routes = await decideEach(ctx, async (itemIndex, item) => {
			const dataset = datasetOf(ctx, itemIndex);
			const { rules, agreementBy } = readRules(ctx, itemIndex);
			if (!hasRules(rules)) {
				throw new ProdigyInputError('No rule is configured, so nothing could be checked', {
					hint: 'Add at least one rule, or use Human Approval mode.',
					index: itemIndex,
				});
			}
			let gateFacts: GateFacts;
			if (ctx.getNodeParameter('factsFrom', itemIndex) === 'item') {
				gateFacts = readItemFacts(ctx, itemIndex);
			} else {
				const key = `${agreementBy}:${dataset}`;
				gateFacts = computed.get(key) ?? (await datasetFacts(store, dataset, agreementBy));
				computed.set(key, gateFacts);
			}
			const outcome = evaluateRules(gateFacts.facts, rules);
			const versionId = gateFacts.facts.versionId ?? null;
			const approval: ApprovalRecord = {
				versionId,
				decision: outcome.decision,
				approver: null,
				reasons: outcome.reasons,
				time: new Date().toISOString(),
				mode: 'rules',
				checks: outcome.checks,
				...(ctx.getExecutionId() ? { executionId: String(ctx.getExecutionId()) } : {}),
			};
			await recordDecision(store, dataset, approval, gateFacts.version ? { summary: gateFacts.version } : undefined);
			const json = setPathValue({ ...item.json }, field, decisionJson(dataset, versionId, approval, outcome.checks)) as IDataObject;
			return { output: outcome.decision === 'approved' ? APPROVED : REJECTED, json };
		});
		return routeItems(ctx, 2, routes, { errorOutput: REJECTED, credentials });
	});
}

// ---------------------------------------------------------------------------------------------------------------
// Human mode: n8n's send-and-wait pattern. Everything the decision needs lives in the dataset meta (the pending
// request) and in the signed URL, never in memory, so any n8n main or worker process can take the approver's POST.

const UNIT_MS = { minutes: 60_000, hours: 3_600_000, days: 86_400_000 } as const;

/** The approver's link: n8n's resume URL for this execution (with its resume token), this node, our request. */
export function approvalUrl(resumeUrl: string, nodeId: string, dataset: string, requestId: string): string {
	const url = new URL(resumeUrl);
	url.pathname = `${url.pathname.replace(/\/$/, '')}/${encodeURIComponent(nodeId)}`;
	url.searchParams.set('dataset', dataset);
	url.searchParams.set('request', requestId);
	return url.toString();
}

function timeoutOutputs(ctx: IExecuteFunctions, item: INodeExecutionData): Array<INodeExecutionData[]> {
	return ctx.getNodeParameter('onTimeout', 0, 'reject') === 'timedOutOutput' ? [[], [], [item]] : [[], [item]];
}

export async function executeHuman(ctx: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const credentials = await ctx.getCredentials<ICredentialDataDecryptedObject>(DATABASE_CREDENTIAL);
	try {
		const dataset = datasetOf(ctx, 0);
		const { rules, agreementBy } = readRules(ctx, 0);
		const field = resultField(ctx);
		const now = new Date();
		const limited = ctx.getNodeParameter('limitWaitTime', 0, false) as boolean;
		let expiresAt: Date | null = null;
		if (limited) {
			const amount = ctx.getNodeParameter('waitAmount', 0) as number;
			const unit = ctx.getNodeParameter('waitUnit', 0) as keyof typeof UNIT_MS;
			expiresAt = new Date(now.getTime() + amount * UNIT_MS[unit]);
		}
		const requestId = randomUUID();
		const executionId = ctx.getExecutionId();
		const { request, url } = await withStore(credentials, async (store) => {
			const gateFacts =
				ctx.getNodeParameter('factsFrom', 0) === 'item' ? readItemFacts(ctx, 0) : await datasetFacts(store, dataset, agreementBy);
			const outcome = hasRules(rules) ? evaluateRules(gateFacts.facts, rules) : null;
			const pending: ApprovalRequest = {
				id: requestId,
				versionId: gateFacts.facts.versionId ?? null,
				checks: outcome?.checks ?? [],
				rulesDecision: outcome?.decision ?? null,
				createdAt: now.toISOString(),
				expiresAt: expiresAt?.toISOString() ?? null,
				summary: gateFacts.summary,
				message: String(ctx.getNodeParameter('message', 0, '') ?? ''),
				...(executionId ? { executionId: String(executionId) } : {}),
				nodeId: ctx.getNode().id,
			};
			await openApprovalRequest(store, dataset, pending, gateFacts.version ? { summary: gateFacts.version } : undefined);
			const resumeUrl = ctx.evaluateExpression('{{ $execution.resumeUrl }}', 0) as string;
			return { request: pending, url: approvalUrl(resumeUrl, ctx.getNode().id, dataset, requestId) };
		});

		const notifyUrl = String(ctx.getNodeParameter('notifyUrl', 0, '') ?? '').trim();
		if (notifyUrl) {
			try {
				await ctx.helpers.httpRequest({
					method: 'POST',
					url: notifyUrl,
					json: true,
					body: {
						text: `Approval requested for Prodigy dataset "${dataset}"${request.versionId ? ` (version ${request.versionId.slice(0, 12)})` : ''}: ${url}`,
						approvalUrl: url,
						dataset,
						versionId: request.versionId,
						checks: request.checks,
						rulesDecision: request.rulesDecision,
						expiresAt: request.expiresAt,
					},
				});
			} catch (error) {
				// Nobody received the link: leave no request pending that could only ever time out.
				await withStore(credentials, async (store) => await withdrawApprovalRequest(store, dataset, requestId));
				throw new NodeApiError(ctx.getNode(), { message: errorMessage(error) } as JsonObjectN8n, {
					message: `Could not send the approval link to ${new URL(notifyUrl).host}: ${errorMessage(error)}`,
					description: 'Check "Send Approval Link To"; the request was withdrawn, nothing was decided.',
					itemIndex: 0,
				});
			}
		}

		// n8n resumes a timed-out wait without running this node again: the disabled node forwards what its stack
		// entry holds. So the timeout outcome is put there now (on Rejected or Timed Out, forwarded to that output);
		// a decision through the webhook replaces it. Both are stored with the execution, nothing stays in memory.
		const timeoutItem: INodeExecutionData = {
			json: {
				[field]: decisionJson(
					dataset,
					request.versionId,
					{ decision: 'rejected', reasons: ['timeout'], approver: null, time: request.expiresAt ?? now.toISOString(), mode: 'human', requestId },
					request.checks,
				),
			},
			pairedItem: { item: 0 },
		};
		const executeData = ctx.getExecuteData();
		executeData.data.main = timeoutOutputs(ctx, timeoutItem);
		executeData.metadata = { ...executeData.metadata, forwardAllOutputs: true };
		// On resume n8n forwards data.main as if each output were an input and stamps every item's pairedItem with
		// `input: <output index>`. With only one source entry, items on Rejected / Timed Out would lose their lineage
		// and `$('Earlier node').item` would resolve to nothing there; one entry per output keeps it.
		const [incoming] = executeData.source?.main ?? [];
		if (incoming) executeData.source = { ...executeData.source, main: executeData.data.main.map(() => incoming) };

		await ctx.putExecutionToWait(expiresAt ?? WAIT_INDEFINITELY);
		// Nothing is decided yet, so no output carries an item (one on Approved would read "1 item" on the canvas as
		// if approved). The approver link is shown above the node's output instead.
		ctx.addExecutionHints({
			message: `Waiting for approval of "${dataset}"${request.expiresAt ? ` until ${request.expiresAt}` : ''}. Approver link: ${url}`,
			location: 'outputPane',
		});
		return [[], []];
	} catch (error) {
		throw toNodeError(ctx.getNode(), error, 0, credentials);
	}
}

// ---------------------------------------------------------------------------------------------------------------
// The approver's requests

function send(ctx: IWebhookFunctions, status: number, html: string): void {
	const res = ctx.getResponseObject();
	res.status(status);
	for (const [name, value] of Object.entries(PAGE_HEADERS)) res.setHeader(name, value);
	res.end(html);
}

function firstString(value: unknown): string {
	if (Array.isArray(value)) return firstString(value[0]);
	return typeof value === 'string' ? value : '';
}

/**
 * GET shows the approver page and never changes anything (link scanners and previews fetch URLs). POST with a
 * name and Approve / Reject decides: the request is closed and the decision recorded in one transaction, then the
 * execution resumes on the matching output.
 */
export async function approvalWebhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
	const req = this.getRequestObject();
	const query = req.query as Record<string, unknown>;
	const dataset = firstString(query.dataset);
	const requestId = firstString(query.request);
	if (!dataset || !requestId) {
		send(this, 400, renderOutcomePage('Invalid approval link', 'The link is incomplete. Open the link exactly as you received it.'));
		return { noWebhookResponse: true };
	}
	const credentials = await this.getCredentials<ICredentialDataDecryptedObject>(DATABASE_CREDENTIAL);
	return await withStore(credentials, async (store) => {
		const info = (await store.hasSchema()) ? await store.getDataset(dataset) : null;
		// Another execution's (or node's) request is "not found" here: the link must not even reveal it exists.
		const binding = { executionId: this.getExecutionId() || undefined, nodeId: this.getNode().id };
		const found = info ? findApprovalRequest(info.meta, requestId) : null;
		const request = found && requestBelongsTo(found, binding) ? found : null;
		const now = new Date();
		if (!info || !request || isExpired(request, now)) {
			const record = info ? decisionForRequest(info.meta, requestId) : null;
			const decided = record && (record.executionId ?? '') === (binding.executionId ?? '') ? record : null;
			const expired = request !== null && isExpired(request, now);
			send(
				this,
				decided || expired ? 410 : 404,
				decided
					? renderOutcomePage('Already decided', 'This approval request has already been decided.', decided)
					: renderOutcomePage(
							expired ? 'Approval request expired' : 'Approval request not found',
							expired ? 'The time to decide on this request has run out.' : 'There is no open approval request for this link.',
						),
			);
			return { noWebhookResponse: true };
		}

		const message = request.message;
		if (req.method !== 'POST') {
			send(this, 200, renderApprovalPage({ dataset, request, message }));
			return { noWebhookResponse: true };
		}

		const body = this.getBodyData();
		const name = firstString(body.name).trim().slice(0, 200);
		const comment = firstString(body.comment).trim().slice(0, 2000);
		const choice = firstString(body.decision);
		if (!name || (choice !== 'approve' && choice !== 'reject')) {
			const error = !name ? 'Please enter your name.' : 'Please choose Approve or Reject.';
			send(this, 400, renderApprovalPage({ dataset, request, message, error, name, comment }));
			return { noWebhookResponse: true };
		}
		let approval: ApprovalRecord;
		try {
			({ approval } = await decideApprovalRequest(store, dataset, requestId, {
				decision: choice === 'approve' ? 'approved' : 'rejected',
				approver: name,
				comment: comment || undefined,
				now,
			}));
		} catch (error) {
			if (!(error instanceof ApprovalRequestClosedError)) throw toNodeError(this.getNode(), error, 0, credentials);
			send(this, 409, renderOutcomePage('Already decided', error.message, error.decided));
			return { noWebhookResponse: true };
		}
		send(
			this,
			200,
			renderOutcomePage(
				approval.decision === 'approved' ? 'Approved' : 'Rejected',
				'Your decision has been recorded. You can close this page.',
				approval,
			),
		);
		const item: INodeExecutionData = {
			json: { [fieldName(this.getNodeParameter('resultField', 'approval'))]: decisionJson(dataset, request.versionId, approval, request.checks) },
			pairedItem: { item: 0 },
		};
		const outputCount = this.getNodeParameter('onTimeout', 'reject') === 'timedOutOutput' && this.getNodeParameter('limitWaitTime', false) ? 3 : 2;
		const workflowData: INodeExecutionData[][] = Array.from({ length: outputCount }, () => []);
		workflowData[approval.decision === 'approved' ? APPROVED : REJECTED].push(item);
		return { noWebhookResponse: true, workflowData };
	});
}

