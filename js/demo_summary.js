// Reads the demo's result through the REST API: energy charged per hour of the day next to the day-ahead price.
// Usage: node js/demo_summary.js BASE_URL OPERATOR_TOKEN
'use strict';
const [base, token] = process.argv.slice(2);
const get = async (path) => {
  const r = await fetch(base + path, { headers: { authorization: `Bearer ${token}` } });
  if (!r.ok) throw new Error(`${path}: HTTP ${r.status} ${await r.text()}`);
  return r.json();
};

(async () => {
  const prices = await get('/api/prices');
  const sessions = await get('/api/sessions?limit=100000');
  const kwhByHour = new Array(24).fill(0);
  let total = 0;
  for (const s of sessions) {
    let previous = s.meter_start_wh;
    for (const m of await get(`/api/sessions/${s.id}/meter-values`)) {
      if (m.energy_import_wh === null || previous === null) continue;
      const kwh = (m.energy_import_wh - previous) / 1000;
      previous = m.energy_import_wh;
      kwhByHour[new Date(m.time).getUTCHours()] += kwh;  // (metered at the end of each 5-minute interval)
      total += kwh;
    }
  }
  const startMs = new Date(prices.start).getTime();
  const day = sessions.length ? new Date(sessions[sessions.length - 1].started) : new Date();
  const dayStart = Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate());
  const priceAt = (h) => prices.eur_per_kwh[Math.floor((dayStart + h * 3600e3 - startMs) / (prices.step_s * 1000))];
  console.log(`${sessions.length} sessions, ${total.toFixed(1)} kWh metered. Energy per hour (UTC) and the price:`);
  const max = Math.max(...kwhByHour, 1e-9);
  for (let h = 0; h < 24; ++h) {
    const price = priceAt(h);
    const bar = '#'.repeat(Math.round((kwhByHour[h] / max) * 40));
    console.log(`  ${String(h).padStart(2, '0')}:00  ${price === undefined ? '   n/a' : (price * 100).toFixed(1).padStart(6)} ct/kWh  ` +
                `${kwhByHour[h].toFixed(1).padStart(6)} kWh ${bar}`);
  }
  let weighted = 0;
  for (let h = 0; h < 24; ++h) weighted += kwhByHour[h] * (priceAt(h) ?? 0);
  console.log(`average price paid: ${(100 * weighted / Math.max(total, 1e-9)).toFixed(2)} ct/kWh`);
  // The settlement of the ended sessions, from the stored ledger.
  const ledger = await get('/api/ledger');
  const balance = (account) => (ledger.accounts.find((a) => a.account === account)?.balance_cents ?? 0) / 100;
  console.log(`ledger: ${ledger.entries} entries summing to ${ledger.sum_cents} cents; the market received ` +
              `${balance('market').toFixed(2)} EUR for the energy, the platform ${balance('platform').toFixed(2)} EUR ` +
              `of the owners' savings; ${ledger.sessions_unsettled} ended sessions not settled yet`);
})().catch((e) => { console.error(e.message); process.exit(1); });
