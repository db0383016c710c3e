// The copy buttons of the privacy texts page: each copies the text of the
// field its data-copy names. Without script the buttons stay hidden, and
// the field's text is there to select and copy.
(() => {
  for (const b of document.querySelectorAll('button[data-copy]')) {
    const field = document.getElementById(b.dataset.copy);
    const status = document.querySelector('[data-copied="' + b.dataset.copy + '"]');
    if (!field) continue;
    b.hidden = false;
    b.addEventListener('click', async () => {
      let ok = false;
      try {
        await navigator.clipboard.writeText(field.value);
        ok = true;
      } catch (e) {
        // No clipboard API (an insecure origin): select the text for the person to copy.
        field.focus();
        field.select();
      }
      if (status) status.textContent = ok ? 'Copied.' : 'Selected: press Ctrl+C or ⌘C to copy.';
    });
  }
})();
