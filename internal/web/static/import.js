// The import page's progress: polls the upload's progress while its
// preview or import runs, and reloads the page when it moves on to the
// next step. Without script, the page refreshes itself (<noscript>).
(() => {
  const box = document.querySelector('[data-progress]');
  if (!box) return;
  const bar = box.querySelector('progress');
  const label = box.querySelector('label[for=progress]');
  const text = box.querySelector('.progress-text');
  const tick = async () => {
    let p = null;
    try {
      const r = await fetch(box.dataset.progress, { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
      if (r.status === 404) { location.reload(); return; }
      if (r.ok) p = await r.json();
    } catch (e) { /* the server is restarting, or the network: try again */ }
    if (p) {
      if (p.phase !== box.dataset.phase) { location.reload(); return; }
      const pct = p.total > 0 ? Math.min(100, Math.floor(p.bytes * 100 / p.total)) : 0;
      bar.value = pct;
      bar.textContent = pct + '%';
      label.textContent = 'Read ' + pct + '% of the file';
      text.textContent = p.rows + ' rows done: ' + p.new + ' new, ' + p.updated + ' updated, ' +
        p.unchanged + ' unchanged, ' + p.rejected + ' rejected.';
    }
    setTimeout(tick, 700);
  };
  setTimeout(tick, 700);
})();
