'use strict';
// blocks.js: Block Kit checked as Slack checks it, for the fake Slack.
// validateBlocks(blocks) returns null when Slack would take the blocks, or
// the message Slack puts in response_metadata.messages, in Slack's form:
// "[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]".
// Limits and their pages: README.md beside this file ("Blocks").

const LIMITS = {
	blocks: 50,               // blocks a message (100 in modals and Home)
	sectionText: 3000,        // section text object
	sectionFields: 10,
	sectionFieldText: 2000,
	blockId: 255,
	contextElements: 10,
	tableRows: 100,           // the header is one of them
	tableCells: 20,
	tableColumnSettings: 20,
	chartTitle: 50,
	chartSeries: 6,
	chartSegments: 6,
	chartCategoryLabel: 20,
	chartCategories: 20,      // not confirmed in the reference: see README
	chartAxisLabel: 50,
	actionsElements: 25,
	buttonValue: 2000,
	actionId: 255,
	buttonText: 75,
};

const chars = (s) => [...s].length;

class BlockError extends Error {
	constructor(msg, pointer) {
		super(`[ERROR] ${msg} [json-pointer:${pointer}]`);
	}
}

function need(cond, msg, pointer) {
	if (!cond)
		throw new BlockError(msg, pointer);
}

function textObject(t, ptr, max, kinds = ['plain_text', 'mrkdwn']) {
	need(t && typeof t === 'object', 'must provide an object', ptr);
	need(kinds.includes(t.type), `must be one of ${kinds.join(', ')}`, `${ptr}/type`);
	need(typeof t.text === 'string', 'must provide a string', `${ptr}/text`);
	need(chars(t.text) >= 1, 'must be more than 0 characters', `${ptr}/text`);
	need(chars(t.text) <= max, `must be less than ${max + 1} characters`, `${ptr}/text`);
}

function section(b, p) {
	need(b.text || b.fields, 'must provide either text or fields', p);
	if (b.text)
		textObject(b.text, `${p}/text`, LIMITS.sectionText);
	if (b.fields) {
		need(Array.isArray(b.fields) && b.fields.length <= LIMITS.sectionFields,
			`no more than ${LIMITS.sectionFields} items allowed`, `${p}/fields`);
		b.fields.forEach((f, i) => textObject(f, `${p}/fields/${i}`, LIMITS.sectionFieldText));
	}
}

function context(b, p) {
	need(Array.isArray(b.elements) && b.elements.length >= 1, 'must provide an array of at least 1 item', `${p}/elements`);
	need(b.elements.length <= LIMITS.contextElements, `no more than ${LIMITS.contextElements} items allowed`, `${p}/elements`);
	b.elements.forEach((e, i) => {
		if (e && e.type === 'image')
			return;
		textObject(e, `${p}/elements/${i}`, LIMITS.sectionText);
	});
}

function tableCell(c, ptr) {
	need(c && typeof c === 'object', 'must provide an object', ptr);
	if (c.type === 'raw_text') {
		need(typeof c.text === 'string', 'must provide a string', `${ptr}/text`);
		return;
	}
	need(c.type === 'rich_text', 'must be one of raw_text, rich_text', `${ptr}/type`);
	need(Array.isArray(c.elements) && c.elements.length >= 1, 'must provide an array', `${ptr}/elements`);
}

function table(b, p) {
	need(Array.isArray(b.rows) && b.rows.length >= 1, 'must provide an array of at least 1 item', `${p}/rows`);
	need(b.rows.length <= LIMITS.tableRows, `no more than ${LIMITS.tableRows} items allowed`, `${p}/rows`);
	const width = Array.isArray(b.rows[0]) ? b.rows[0].length : -1;
	b.rows.forEach((row, r) => {
		need(Array.isArray(row) && row.length >= 1, 'must provide an array of at least 1 item', `${p}/rows/${r}`);
		need(row.length <= LIMITS.tableCells, `no more than ${LIMITS.tableCells} items allowed`, `${p}/rows/${r}`);
		need(row.length === width, 'all rows must have the same number of cells', `${p}/rows/${r}`);
		row.forEach((c, i) => tableCell(c, `${p}/rows/${r}/${i}`));
	});
	if (b.column_settings !== undefined) {
		need(Array.isArray(b.column_settings) && b.column_settings.length <= LIMITS.tableColumnSettings,
			`no more than ${LIMITS.tableColumnSettings} items allowed`, `${p}/column_settings`);
		b.column_settings.forEach((s, i) => {
			if (s === null)
				return;
			need(s.align === undefined || ['left', 'center', 'right'].includes(s.align),
				'must be one of left, center, right', `${p}/column_settings/${i}/align`);
			need(s.is_wrapped === undefined || typeof s.is_wrapped === 'boolean',
				'must be a boolean', `${p}/column_settings/${i}/is_wrapped`);
		});
	}
}

function label(s, ptr, max) {
	need(typeof s === 'string' && chars(s) >= 1, 'must provide a non-empty string', ptr);
	need(chars(s) <= max, `must be less than ${max + 1} characters`, ptr);
}

function dataVisualization(b, p) {
	label(b.title, `${p}/title`, LIMITS.chartTitle);
	const c = b.chart;
	need(c && typeof c === 'object', 'must provide an object', `${p}/chart`);
	need(['pie', 'bar', 'area', 'line'].includes(c.type), 'must be one of pie, bar, area, line', `${p}/chart/type`);
	const num = (v, ptr) => need(typeof v === 'number' && Number.isFinite(v), 'must be a number', ptr);
	if (c.type === 'pie') {
		need(Array.isArray(c.segments) && c.segments.length >= 1, 'must provide an array of at least 1 item', `${p}/chart/segments`);
		need(c.segments.length <= LIMITS.chartSegments, `no more than ${LIMITS.chartSegments} items allowed`, `${p}/chart/segments`);
		c.segments.forEach((s, i) => {
			label(s.label, `${p}/chart/segments/${i}/label`, LIMITS.chartCategoryLabel);
			num(s.value, `${p}/chart/segments/${i}/value`);
		});
		return;
	}
	const ax = c.axis_config;
	need(ax && Array.isArray(ax.categories) && ax.categories.length >= 1, 'must provide an array of at least 1 item',
		`${p}/chart/axis_config/categories`);
	need(ax.categories.length <= LIMITS.chartCategories, `no more than ${LIMITS.chartCategories} items allowed`,
		`${p}/chart/axis_config/categories`);
	ax.categories.forEach((s, i) => label(s, `${p}/chart/axis_config/categories/${i}`, LIMITS.chartCategoryLabel));
	for (const k of ['x_label', 'y_label'])
		if (ax[k] !== undefined)
			label(ax[k], `${p}/chart/axis_config/${k}`, LIMITS.chartAxisLabel);
	need(Array.isArray(c.series) && c.series.length >= 1, 'must provide an array of at least 1 item', `${p}/chart/series`);
	need(c.series.length <= LIMITS.chartSeries, `no more than ${LIMITS.chartSeries} items allowed`, `${p}/chart/series`);
	const names = new Set();
	c.series.forEach((s, i) => {
		label(s.name, `${p}/chart/series/${i}/name`, LIMITS.chartAxisLabel);
		need(!names.has(s.name), 'series names must be unique', `${p}/chart/series/${i}/name`);
		names.add(s.name);
		need(Array.isArray(s.data), 'must provide an array', `${p}/chart/series/${i}/data`);
		s.data.forEach((d, j) => {
			need(ax.categories.includes(d.label), 'label must be one of axis_config.categories',
				`${p}/chart/series/${i}/data/${j}/label`);
			num(d.value, `${p}/chart/series/${i}/data/${j}/value`);
		});
	});
}

function actions(b, p) {
	need(Array.isArray(b.elements) && b.elements.length >= 1, 'must provide an array of at least 1 item', `${p}/elements`);
	need(b.elements.length <= LIMITS.actionsElements, `no more than ${LIMITS.actionsElements} items allowed`, `${p}/elements`);
	b.elements.forEach((e, i) => {
		const q = `${p}/elements/${i}`;
		need(e && typeof e.type === 'string', 'must provide a type', q);
		if (e.action_id !== undefined)
			label(e.action_id, `${q}/action_id`, LIMITS.actionId);
		if (e.type !== 'button')
			return;
		textObject(e.text, `${q}/text`, LIMITS.buttonText, ['plain_text']);
		if (e.value !== undefined)
			label(e.value, `${q}/value`, LIMITS.buttonValue);
		need(e.style === undefined || ['primary', 'danger'].includes(e.style), 'must be one of primary, danger', `${q}/style`);
	});
}

const BLOCKS = { section, context, table, data_visualization: dataVisualization, actions };
const PLAIN = new Set(['divider', 'header', 'rich_text', 'image', 'markdown', 'file', 'input', 'video']);

function validateBlocks(blocks) {
	try {
		need(Array.isArray(blocks), 'must provide an array', '/blocks');
		need(blocks.length <= LIMITS.blocks, `no more than ${LIMITS.blocks} items allowed`, '/blocks');
		blocks.forEach((b, i) => {
			const p = `/blocks/${i}`;
			need(b && typeof b === 'object' && typeof b.type === 'string', 'must provide an object with a type', p);
			if (b.block_id !== undefined)
				label(b.block_id, `${p}/block_id`, LIMITS.blockId);
			const check = BLOCKS[b.type];
			need(check || PLAIN.has(b.type), `unsupported type: ${b.type}`, `${p}/type`);
			if (check)
				check(b, p);
		});
		return null;
	} catch (err) {
		if (err instanceof BlockError)
			return err.message;
		throw err;
	}
}

// blocks as a method receives them: an array, or a JSON string (form
// bodies). Returns { blocks } or { error } ready to answer.
function readBlocks(value) {
	let blocks = value;
	if (typeof blocks === 'string') {
		try {
			blocks = JSON.parse(blocks);
		} catch (err) {
			return { error: { ok: false, error: 'invalid_blocks_format' } };
		}
	}
	const msg = validateBlocks(blocks);
	if (msg)
		return { error: { ok: false, error: 'invalid_blocks', response_metadata: { messages: [msg] } } };
	return { blocks };
}

module.exports = { LIMITS, validateBlocks, readBlocks };
