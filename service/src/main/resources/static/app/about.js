// The "About the model" page: the versions the service serves, from GET /api/v1/models, as a table.

const status = document.getElementById('versions-status');
const table = document.getElementById('versions');

function percent(rate) {
  return typeof rate === 'number' ? (100 * rate).toFixed(2) + '%' : '–';
}

function cell(row, text) {
  const td = document.createElement('td');
  td.textContent = text;
  row.append(td);
}

async function show() {
  let listing;
  try {
    const response = await fetch('/api/v1/models', { headers: { Accept: 'application/json' } });
    if (!response.ok) throw new Error('HTTP ' + response.status);
    listing = await response.json();
  } catch {
    status.textContent = 'The service cannot be reached right now, so the versions cannot be listed.';
    return;
  }
  const rows = listing.versions.map((v) => {
    const row = document.createElement('tr');
    const th = document.createElement('th');
    th.scope = 'row';
    th.textContent = v.version + (v.default ? ' (default)' : '');
    row.append(th);
    cell(row, v.state !== 'READY' ? 'not loaded'
      : v.shadow ? 'shadow (compared, never shown)' : percent(v.trafficShare).replace('.00%', '%'));
    const summary = v.summary || {};
    cell(row, percent(summary.testAccuracy));
    const fb = v.feedback || {};
    cell(row, fb.total > 0 ? fb.right + ' of ' + fb.total : 'no feedback yet');
    cell(row, summary.description || '');
    return row;
  });
  table.tBodies[0].replaceChildren(...rows);
  table.hidden = false;
  status.textContent = listing.versions.length + ' versions; version ' + listing.default + ' answers by default.';
}

show();
