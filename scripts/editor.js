// What a person does in n8n's editor, for the e2e tests and the README pictures: add a node from the node panel.
'use strict';

/** @typedef {import('playwright-core').Page} Page */

/** @param {string} text */
function escapeRegExp(text) {
	return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Opens the node panel (`opener`: the canvas's + button by default; the empty canvas's "Add first step", or a node's
 * output +), searches `query` and clicks the entry `entry`; then the action `action` when given, or the "Add to
 * workflow" button a community node without actions shows first. Returns true once the node's panel (NDV) is open,
 * false for a node the editor places without opening it (the Manual Trigger).
 * @param {Page} page
 * @param {{ query: string, entry: string, action?: string, opener?: string }} what
 * @returns {Promise<boolean>}
 */
async function addFromPanel(page, { query, entry, action, opener = '[data-test-id="node-creator-plus-button"]' }) {
	await page.locator(opener).first().click();
	const input = page.locator('[data-test-id="node-creator-search-bar"] input, input[data-test-id="node-creator-search-bar"]').first();
	await input.fill(query);
	await page.locator('[data-test-id="node-creator-item-name"]', { hasText: new RegExp(`^${escapeRegExp(entry)}$`) }).first().click();
	const ndv = page.locator('[data-test-id="ndv"] [data-test-id="node-parameters"]');
	if (action) {
		await page.locator('[data-test-id="node-creator-item-name"]', { hasText: new RegExp(`^${escapeRegExp(action)}$`) }).first().click();
	} else {
		const addButton = page.getByRole('button', { name: 'Add to workflow' });
		const creator = page.locator('[data-test-id="node-creator"]');
		await addButton.or(ndv).or(creator.filter({ visible: false })).first().waitFor({ timeout: 10_000 }).catch(() => undefined);
		if (await addButton.isVisible()) await addButton.click();
		else if (!(await ndv.isVisible())) return false;
	}
	await ndv.waitFor();
	return true;
}

/**
 * Closes the open node panel with its close button (Escape does not close it while a code editor has the focus).
 * @param {Page} page
 */
async function closeNodePanel(page) {
	if (!(await page.locator('[data-test-id="ndv"]').isVisible())) return;
	await page.locator('[data-test-id="ndv-close-button"]').first().click();
	await page.locator('[data-test-id="ndv"]').waitFor({ state: 'hidden' });
}

module.exports = { addFromPanel, closeNodePanel };
