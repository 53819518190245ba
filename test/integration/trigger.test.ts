// Poll tests of the Prodigy Trigger: real databases, n8n-core's real PollContext, static data seeded and asserted
// poll after poll.
import type { IDataObject } from 'n8n-workflow';

import { openStore } from '../../lib/store';
import type { ProdigyStore, Task } from '../../lib/store/types';
import type { TriggerState } from '../../lib/triggerState';
import { BACKENDS, createTestDatabase, type BackendName, type TestDatabase } from '../helpers/databases';
import { createPoller, datasetsParameter } from '../helpers/triggerPoller';

const answer = (text: string, extra: Task = {}): Task => ({ text, answer: 'accept', ...extra });
const fromAlex = (text: string, extra: Task = {}): Task =>
	answer(text, { _session_id: 'ner_news-alex', _annotator_id: 'ner_news-alex', ...extra });

async function withDatabase(backend: BackendName, run: (db: TestDatabase, store: ProdigyStore) => Promise<void>) {
	const db = await createTestDatabase(backend);
	const store = openStore(db.config);
	try {
		await run(db, store);
	} finally {
		await store.close();
		await db.cleanup();
	}
}

const linkIds = (items: IDataObject[] | null | undefined) => (items ?? []).map((item) => item.linkId);
const json = (items: Array<{ json: IDataObject }> | null) => (items ?? []).map((item) => item.json);

describe.each(BACKENDS)('New Annotation on %s', (backend) => {
	it('starts from now, emits each new annotation once with its task, link id, dataset and session', async () => {
		await withDatabase(backend, async (db, store) => {
			await store.addExamples('ner_news', [answer('old one'), answer('old two')]);
			const poller = createPoller({ event: 'newAnnotation', datasets: datasetsParameter('ner_news') }, db.config);

			expect(await poller.poll()).toBeNull();
			const top = await store.maxLinkId();
			const started = poller.state()!;
			expect(started.streams).toEqual([
				{ dataset: 'ner_news', datasetId: (await store.getDataset('ner_news'))!.id, cursor: { after: top, seen: [] } },
			]);
			expect(started.linkSnapshots).toEqual([{ id: top, at: expect.any(Number) }]);

			const added = await store.addExamples('ner_news', [fromAlex('new one'), fromAlex('new two', { answer: 'reject' })]);
			const items = json(await poller.poll());
			expect(items).toEqual([
				{
					dataset: 'ner_news',
					linkId: added.examples[0].linkId,
					exampleId: added.examples[0].exampleId,
					session: 'ner_news-alex',
					annotator: 'ner_news-alex',
					answer: 'accept',
					task: expect.objectContaining({ text: 'new one', _input_hash: added.examples[0].inputHash }),
				},
				expect.objectContaining({ linkId: added.examples[1].linkId, answer: 'reject' }),
			]);
			// Seen above the watermark until a snapshot is older than the late-commit window (5 minutes).
			expect(poller.state()!.streams[0].cursor).toEqual({
				after: top,
				seen: added.examples.map((example) => example.linkId),
			});
			expect(await poller.poll()).toBeNull();
		});
	});
});

describe('New Annotation cursor (SQLite)', () => {
	it('moves the watermark once a snapshot is older than the window, and forgets the seen ids below it', async () => {
		await withDatabase('sqlite', async (db, store) => {
			await store.addExamples('ner_news', [answer('a')]);
			const poller = createPoller({ event: 'newAnnotation', datasets: datasetsParameter('ner_news') }, db.config);
			await poller.poll();
			const added = await store.addExamples('ner_news', [answer('b'), answer('c')]);
			expect(linkIds(json(await poller.poll()))).toEqual(added.examples.map((example) => example.linkId));
			const state = poller.state()!;
			const newest = added.examples[1].linkId!;
			// Seed: the last snapshot was taken 6 minutes ago, so it is ready.
			poller.seed({ ...state, linkSnapshots: [{ id: newest, at: Date.now() - 6 * 60_000 }] });
			expect(await poller.poll()).toBeNull();
			const next = poller.state()!;
			expect(next.streams[0].cursor).toEqual({ after: newest, seen: [] });
			expect(next.linkSnapshots[0]).toEqual({ id: newest, at: expect.any(Number) });
		});
	});

	it('emits at most Max Items per Poll and the rest over the next polls, in order', async () => {
		await withDatabase('sqlite', async (db, store) => {
			await store.createDataset('ner_news');
			const poller = createPoller(
				{ event: 'newAnnotation', datasets: datasetsParameter('ner_news'), options: { maxItems: 2 } },
				db.config,
			);
			await poller.poll();
			const added = await store.addExamples('ner_news', ['1', '2', '3', '4', '5'].map((text) => answer(text)));
			const batches: unknown[][] = [];
			for (let poll = 0; poll < 4; poll++) batches.push(linkIds(json(await poller.poll())));
			const ids = added.examples.map((example) => example.linkId);
			expect(batches).toEqual([ids.slice(0, 2), ids.slice(2, 4), ids.slice(4), []]);
		});
	});

	it('merges several datasets in link-id order and filters by answer, session and flag', async () => {
		await withDatabase('sqlite', async (db, store) => {
			await store.createDataset('ner_news');
			await store.createDataset('ner_web');
			const poller = createPoller(
				{
					event: 'newAnnotation',
					datasets: datasetsParameter('ner_news', 'ner_web'),
					filters: { answer: ['accept'], session: 'alex', flagged: 'notFlagged' },
				},
				db.config,
			);
			await poller.poll();
			const first = await store.addExamples('ner_news', [fromAlex('keep 1'), fromAlex('rejected', { answer: 'reject' })]);
			const second = await store.addExamples('ner_web', [
				answer('keep 2', { _session_id: 'ner_web-alex' }),
				answer('bob', { _session_id: 'ner_web-bob' }),
				answer('flagged', { _session_id: 'ner_web-alex', flagged: true }),
			]);
			await store.addExamples('ner_news', [fromAlex('keep 3')]);
			const items = json(await poller.poll());
			expect(items.map((item) => (item.task as Task).text)).toEqual(['keep 1', 'keep 2', 'keep 3']);
			expect(items.map((item) => item.dataset)).toEqual(['ner_news', 'ner_web', 'ner_news']);
			// Filtered-out rows are handled too: they are never read as new again.
			const seen = poller.state()!.streams.flatMap((stream) => stream.cursor.seen);
			expect(seen).toEqual(expect.arrayContaining([first.examples[1].linkId, second.examples[1].linkId]));
			expect(await poller.poll()).toBeNull();
		});
	});

	it('reads flagged as Get Many / Count / Export do: a truthy "flagged": 1 is flagged, whichever version stored the filter', async () => {
		await withDatabase('sqlite', async (db, store) => {
			await store.createDataset('ner_news');
			// Trigger version 1 stored flagged / notFlagged, 1.1 stores Get Many's only / exclude.
			const pollers = Object.fromEntries(
				['flagged', 'notFlagged', 'only', 'exclude'].map((flagged) => [
					flagged,
					createPoller({ event: 'newAnnotation', datasets: datasetsParameter('ner_news'), filters: { flagged } }, db.config),
				]),
			);
			for (const poller of Object.values(pollers)) await poller.poll();
			await store.addExamples('ner_news', [
				answer('flag one', { flagged: 1 }),
				answer('flag true', { flagged: true }),
				answer('flag zero', { flagged: 0 }),
				answer('no flag'),
			]);
			const texts = async (flagged: string) => json(await pollers[flagged].poll()).map((item) => (item.task as Task).text);
			expect(await texts('flagged')).toEqual(['flag one', 'flag true']);
			expect(await texts('only')).toEqual(['flag one', 'flag true']);
			expect(await texts('notFlagged')).toEqual(['flag zero', 'no flag']);
			expect(await texts('exclude')).toEqual(['flag zero', 'no flag']);
			// The same selection as the store's reads behind Get Many, Count and Export.
			expect(await store.countExamples('ner_news', { flagged: true })).toBe(2);
			expect(json(await pollers.flagged.poll('manual')).map((item) => (item.task as Task).text)).toEqual(['flag true']);
		});
	});

	it('emits one item per poll holding the batch', async () => {
		await withDatabase('sqlite', async (db, store) => {
			await store.createDataset('ner_news');
			const poller = createPoller({ event: 'newAnnotation', datasets: datasetsParameter('ner_news'), emit: 'batch' }, db.config);
			await poller.poll();
			const added = await store.addExamples('ner_news', [answer('a'), answer('b')]);
			const items = json(await poller.poll());
			expect(items).toHaveLength(1);
			expect(items[0]).toMatchObject({
				count: 2,
				datasets: ['ner_news'],
				firstLinkId: added.examples[0].linkId,
				lastLinkId: added.examples[1].linkId,
			});
			expect(linkIds(items[0].annotations as IDataObject[])).toEqual(added.examples.map((example) => example.linkId));
		});
	});

	it('includes the latest existing annotations on first activation when asked, capped', async () => {
		await withDatabase('sqlite', async (db, store) => {
			const existing = await store.addExamples('ner_news', ['1', '2', '3', '4'].map((text) => answer(text)));
			const poller = createPoller(
				{ event: 'newAnnotation', datasets: datasetsParameter('ner_news'), includeExisting: true, existingLimit: 3 },
				db.config,
			);
			expect(linkIds(json(await poller.poll()))).toEqual(existing.examples.slice(1).map((example) => example.linkId));
			expect(await poller.poll()).toBeNull();
		});
	});

	it('fetch test event returns the latest matching annotation and leaves static data alone', async () => {
		await withDatabase('sqlite', async (db, store) => {
			await store.addExamples('ner_news', [answer('a'), answer('b', { answer: 'reject' }), answer('c'), answer('d', { answer: 'reject' })]);
			const poller = createPoller(
				{ event: 'newAnnotation', datasets: datasetsParameter('ner_news'), filters: { answer: ['accept'] } },
				db.config,
			);
			await poller.poll();
			const before = JSON.stringify(poller.rawStaticData());
			const sample = json(await poller.poll('manual'));
			expect(sample.map((item) => (item.task as Task).text)).toEqual(['c']);
			expect(JSON.stringify(poller.rawStaticData())).toBe(before);

			const empty = createPoller({ event: 'newAnnotation', datasets: datasetsParameter('ner_news'), filters: { session: 'zoe' } }, db.config);
			await expect(empty.poll('manual')).rejects.toThrow('No annotation matching the filters in "ner_news"');
			expect(empty.rawStaticData()).toEqual({});

			// A dataset nobody annotated yet: the manual run says what the trigger waits for and how to test it.
			await store.createDataset('ticket_review');
			const none = createPoller({ event: 'newAnnotation', datasets: datasetsParameter('ticket_review') }, db.config);
			const error = (await none.poll('manual').catch((caught: unknown) => caught)) as Error & { description?: string };
			expect(error.message).toBe('No annotations in "ticket_review" yet, so there is no test event to show');
			expect(error.description).toMatch(/^This trigger starts the workflow when annotators save answers in Prodigy\. Save one answer/);
		});
	});

	it('starts over from now when the watched datasets change', async () => {
		await withDatabase('sqlite', async (db, store) => {
			await store.addExamples('ner_news', [answer('a')]);
			await store.addExamples('ner_web', [answer('b')]);
			const poller = createPoller({ event: 'newAnnotation', datasets: datasetsParameter('ner_news') }, db.config);
			await poller.poll();
			const old = poller.state()!;
			await store.addExamples('ner_web', [answer('c')]);
			// The same static data, now read by a trigger watching two datasets.
			const widened = createPoller({ event: 'newAnnotation', datasets: datasetsParameter('ner_web', 'ner_news') }, db.config);
			widened.seed(old);
			expect(await widened.poll()).toBeNull();
			const top = await store.maxLinkId();
			expect(widened.state()!.key).not.toBe(old.key);
			expect(widened.state()!.streams.map((stream) => [stream.dataset, stream.cursor.after])).toEqual([
				['ner_web', top],
				['ner_news', top],
			]);
		});
	});

	it('says a dropped dataset is gone on every poll, without touching the cursor', async () => {
		await withDatabase('sqlite', async (db, store) => {
			await store.addExamples('ner_news', [answer('a')]);
			const poller = createPoller({ event: 'newAnnotation', datasets: datasetsParameter('ner_news') }, db.config);
			await poller.poll();
			const before = poller.state();
			await store.dropDataset('ner_news');
			await expect(poller.poll()).rejects.toThrow('Watched dataset "ner_news" no longer exists');
			await expect(poller.poll()).rejects.toThrow('no longer exists');
			expect(poller.state()).toEqual(before);
		});
	});

	it('treats a dataset dropped and created again as new: all of its annotations are emitted', async () => {
		await withDatabase('sqlite', async (db, store) => {
			await store.addExamples('ner_news', [answer('a')]);
			await store.addExamples('other', [answer('keeps ids growing')]);
			const poller = createPoller({ event: 'newAnnotation', datasets: datasetsParameter('ner_news') }, db.config);
			await poller.poll();
			await store.dropDataset('ner_news');
			const again = await store.addExamples('ner_news', [answer('x'), answer('y')]);
			expect(linkIds(json(await poller.poll()))).toEqual(again.examples.map((example) => example.linkId));
			expect(poller.state()!.streams[0].datasetId).toBe((await store.getDataset('ner_news'))!.id);
		});
	});

	it('with durable cursors, a failed poll leaves the committed cursor as it was', async () => {
		await withDatabase('sqlite', async (db, store) => {
			await store.createDataset('ner_news');
			await store.createDataset('ner_web');
			const poller = createPoller({ event: 'newAnnotation', datasets: datasetsParameter('ner_news', 'ner_web') }, db.config, {
				durable: true,
			});
			expect(await poller.poll()).toBeNull();
			const started = poller.state();
			expect(started?.streams).toHaveLength(2);
			const added = await store.addExamples('ner_news', [answer('a')]);
			await store.dropDataset('ner_web');
			await expect(poller.poll()).rejects.toThrow('"ner_web" no longer exists');
			expect(poller.state()).toEqual(started);
			await store.addExamples('ner_web', [answer('b')]);
			expect(linkIds(json(await poller.poll()))).toEqual([added.examples[0].linkId, expect.any(Number)]);
		});
	});
});

describe('New Dataset (SQLite)', () => {
	it('emits datasets created after activation, session datasets only when asked', async () => {
		await withDatabase('sqlite', async (db, store) => {
			await store.createDataset('before');
			const plain = createPoller({ event: 'newDataset' }, db.config);
			const withSessions = createPoller({ event: 'newDataset', includeSessions: true }, db.config);
			expect(await plain.poll()).toBeNull();
			expect(await withSessions.poll()).toBeNull();
			expect(plain.state()!.datasetCursor).toEqual({ after: (await store.getDataset('before'))!.id, seen: [] });

			await store.createDataset('ner_news', { description: 'News' });
			await store.addExamples('ner_news', [answer('a')], { session: 'alex' });
			expect(json(await plain.poll())).toEqual([
				{
					id: (await store.getDataset('ner_news'))!.id,
					name: 'ner_news',
					created: expect.any(Number),
					createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
					session: false,
					meta: { description: 'News' },
				},
			]);
			expect(json(await withSessions.poll()).map((item) => item.name)).toEqual(['ner_news', 'ner_news-alex']);
			expect(await plain.poll()).toBeNull();
			expect(json(await plain.poll('manual')).map((item) => item.name)).toEqual(['ner_news']);
		});
	});
});

describe('New Session (SQLite)', () => {
	it('emits named and unnamed sessions of the watched dataset once they annotate, not other datasets\' sessions', async () => {
		await withDatabase('sqlite', async (db, store) => {
			await store.addExamples('ner_news', [answer('a')], { session: 'old' });
			await store.createDataset('ner_web');
			const poller = createPoller({ event: 'newSession', datasets: datasetsParameter('ner_news') }, db.config);
			expect(await poller.poll()).toBeNull();

			await store.addExamples('ner_news', [fromAlex('b')], { session: 'alex' });
			await store.addExamples('ner_web', [answer('c')], { session: 'bob' });
			// An unnamed session (Prodigy names it by its start time) that has not saved anything yet.
			const unnamed = await store.createDataset('2030-01-01_10-00-00', {}, { session: true });
			const items = json(await poller.poll());
			expect(items).toEqual([
				{
					dataset: 'ner_news',
					session: 'ner_news-alex',
					annotator: 'alex',
					sessionDatasetId: (await store.getDataset('ner_news-alex'))!.id,
					created: expect.any(Number),
					createdAt: expect.any(String),
					examples: 1,
				},
			]);
			expect(poller.state()!.candidates!.map((candidate) => candidate.name)).toEqual(['ner_web-bob', unnamed.name]);

			// Its first answer links it to the dataset: now it is known to be a session of ner_news.
			await store.mergeDatasets(['ner_news'], '2030-01-01_10-00-00');
			expect(json(await poller.poll())).toEqual([
				expect.objectContaining({ dataset: 'ner_news', session: '2030-01-01_10-00-00', annotator: null }),
			]);
			expect(await poller.poll()).toBeNull();
			expect(json(await poller.poll('manual'))[0]).toMatchObject({ session: '2030-01-01_10-00-00' });
		});
	});
});

describe('Milestone (SQLite)', () => {
	it('fires a target once, at the annotation that reached it, counting from the existing ones', async () => {
		await withDatabase('sqlite', async (db, store) => {
			await store.addExamples('ner_news', [answer('1'), answer('2'), answer('3', { answer: 'reject' })]);
			const poller = createPoller(
				{ event: 'milestone', datasets: datasetsParameter('ner_news'), milestoneType: 'target', target: 4, countAnswers: ['accept'] },
				db.config,
			);
			expect(await poller.poll()).toBeNull();
			expect(poller.state()!.milestones).toEqual({ ner_news: { count: 2, reached: 0 } });
			await store.addExamples('ner_news', [answer('4')]);
			expect(await poller.poll()).toBeNull();
			const added = await store.addExamples('ner_news', [answer('r', { answer: 'reject' }), answer('5', fromAlex('5')), answer('6')]);
			expect(json(await poller.poll())).toEqual([
				{
					dataset: 'ner_news',
					milestone: 4,
					type: 'target',
					count: 5,
					linkId: added.examples[1].linkId,
					session: 'ner_news-alex',
				},
			]);
			await store.addExamples('ner_news', [answer('7')]);
			expect(await poller.poll()).toBeNull();
			expect(poller.state()!.milestones).toEqual({ ner_news: { count: 6, reached: 4 } });
		});
	});

	it('fires every N once per multiple, and the test event shows the latest one reached', async () => {
		await withDatabase('sqlite', async (db, store) => {
			await store.addExamples('ner_news', [answer('1')]);
			const poller = createPoller(
				{ event: 'milestone', datasets: datasetsParameter('ner_news'), milestoneType: 'every', every: 2 },
				db.config,
			);
			await poller.poll();
			await expect(poller.poll('manual')).rejects.toThrow('No milestone reached yet: "ner_news" has 1 annotations');
			await store.addExamples('ner_news', ['2', '3', '4', '5', '6'].map((text) => answer(text)));
			expect(json(await poller.poll()).map((item) => item.milestone)).toEqual([2, 4, 6]);
			expect(await poller.poll()).toBeNull();
			expect(json(await poller.poll('manual'))).toEqual([
				{ dataset: 'ner_news', milestone: 6, type: 'every', count: 6, linkId: null, session: null },
			]);
		});
	});
});

describe('Stalled (SQLite)', () => {
	it('fires once per stall, re-arms after activity, and stays quiet at the target', async () => {
		await withDatabase('sqlite', async (db, store) => {
			await store.addExamples('ner_news', [answer('1')]);
			const poller = createPoller(
				{ event: 'stalled', datasets: datasetsParameter('ner_news'), idleMinutes: 30, belowCount: 3 },
				db.config,
			);
			expect(await poller.poll()).toBeNull();
			const idleSince = (state: TriggerState, minutes: number): TriggerState => ({
				...state,
				stalls: { ner_news: { ...state.stalls!.ner_news, lastActivityAt: Date.now() - minutes * 60_000 } },
			});
			expect(poller.state()!.stalls).toEqual({ ner_news: { lastActivityAt: expect.any(Number), stalled: false, count: 1 } });

			poller.seed(idleSince(poller.state()!, 31));
			expect(json(await poller.poll())).toEqual([
				{ dataset: 'ner_news', idleMinutes: 31, idleFor: '31 minutes', lastActivityAt: expect.any(String), count: 1, target: 3 },
			]);
			expect(poller.state()!.stalls!.ner_news.stalled).toBe(true);
			poller.seed(idleSince(poller.state()!, 90));
			expect(await poller.poll()).toBeNull();

			await store.addExamples('ner_news', [answer('2')]);
			expect(await poller.poll()).toBeNull();
			expect(poller.state()!.stalls!.ner_news).toEqual({ lastActivityAt: expect.any(Number), stalled: false, count: 2 });
			poller.seed(idleSince(poller.state()!, 45));
			expect(json(await poller.poll())).toEqual([expect.objectContaining({ idleMinutes: 45, count: 2 })]);

			await store.addExamples('ner_news', [answer('3')]);
			await poller.poll();
			poller.seed(idleSince(poller.state()!, 60));
			expect(await poller.poll()).toBeNull();
		});
	});

	it('test event shows each dataset\'s idle time from its latest annotation', async () => {
		await withDatabase('sqlite', async (db, store) => {
			const tenMinutesAgo = Math.floor(Date.now() / 1000) - 600;
			await store.addExamples('ner_news', [answer('1', { _timestamp: tenMinutesAgo })]);
			const poller = createPoller({ event: 'stalled', datasets: datasetsParameter('ner_news'), idleMinutes: 5 }, db.config);
			expect(json(await poller.poll('manual'))).toEqual([
				{ dataset: 'ner_news', idleMinutes: 10, idleFor: '10 minutes', lastActivityAt: new Date(tenMinutesAgo * 1000).toISOString(), count: null, target: null },
			]);
			expect(poller.rawStaticData()).toEqual({});
		});
	});
});
