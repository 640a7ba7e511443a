'use strict';
// walk.js: the baseline of bench/trino: a client that does only the
// protocol (POST, then GET every nextUri, reading each page's bytes without
// parsing them), so the fake's own cost per page is known and the bot's
// overhead is what reportbot takes beyond it.
//   node walk.js URL SQL  -> prints "pages N bytes B"
const [url, sql] = process.argv.slice(2);
(async () => {
	let res = await fetch(`${url}/v1/statement`, { method: 'POST', body: sql, headers: { 'X-Trino-User': 'bench' } });
	let text = await res.text();
	let pages = 1, bytes = text.length;
	for (;;) {
		const m = text.match(/"nextUri":"([^"]+)"/);
		if (!m) break;
		res = await fetch(m[1]);
		text = await res.text();
		pages++;
		bytes += text.length;
	}
	process.stdout.write(`pages ${pages} bytes ${bytes}\n`);
})();
