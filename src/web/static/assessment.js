// Autosave for the assessment form: each question is saved when it changes. An answer that
// cannot be sent (link down, session expired) stays in this browser's storage and is sent again
// when the link is back or after signing in again: no answer is lost. Without JavaScript the
// form's Save button sends everything.
(function () {
  'use strict';
  const form = document.getElementById('answers');
  if (!form || form.classList.contains('readonly')) return;
  const id = form.dataset.assessment;
  const csrf = form.dataset.csrf;
  const key = 'cbrnhub:pending:' + id;
  const status = document.getElementById('autosave-status');
  const pending = JSON.parse(localStorage.getItem(key) || '{}');

  function say(text, error) {
    status.hidden = !text;
    status.textContent = text || '';
    status.className = error ? 'error' : 'notice';
  }
  function keep() { localStorage.setItem(key, JSON.stringify(pending)); }

  // The answer of one question block, as the API expects it (null: not answered).
  function answerOf(block) {
    const q = block.dataset.question;
    const type = block.dataset.type;
    const field = (name) => block.querySelector('[name="a.' + q + '.' + name + '"]');
    const ticked = (name) => Array.from(block.querySelectorAll('[name="a.' + q + '.' + name + '"]:checked')).map((e) => e.value);
    let value = null;
    if (type === 'maturity') {
      // One choice, the highest level met, stands for every level up to it (stored 1..k).
      const levels = ticked('level');
      if (levels.length) value = { levels: Array.from({ length: Number(levels[0]) }, (_, i) => i + 1) };
    } else if (type === 'presence') {
      const s = field('status').value;
      if (s) value = { status: s, reference: field('reference').value };
    } else if (type === 'multiple_choice') {
      const values = ticked('values');
      if (values.length) value = { values: values };
    } else if (type === 'number') {
      const v = field('value').value;
      if (v !== '') value = { value: Number(v) };
    } else {
      const v = field('value').value;
      if (v !== '') value = { value: v };
    }
    const comment = block.querySelector('[name="c.' + q + '"]').value;
    return { value: value, comment: comment };
  }

  function mark(q, text) {
    const block = document.getElementById('q-' + q);
    if (block) block.querySelector('.saved').textContent = text;
  }

  async function send(q) {
    const body = pending[q];
    if (!body) return;
    mark(q, '…');
    try {
      const res = await fetch('/api/v1/assessments/' + id + '/answers/' + encodeURIComponent(q), {
        method: 'PUT', credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
        body: JSON.stringify(body),
      });
      if (res.ok) {
        if (pending[q] === body) delete pending[q];
        keep();
        mark(q, '✓');
        if (!Object.keys(pending).length) say('');
        return;
      }
      if (res.status === 401 || res.status === 403) {
        say('Your session has ended: sign in again. Your answers are kept on this device and will be saved then.', true);
        return;
      }
      // A refused answer (400, 409): say why, and do not retry it as it is.
      const problem = await res.json().catch(() => ({}));
      delete pending[q];
      keep();
      mark(q, '✗ ' + (problem.message || res.status));
    } catch (e) {
      say('No connection: your answers are kept on this device and sent when the link is back.', true);
    }
  }

  function flush() { Object.keys(pending).forEach(send); }

  function visibility() {
    document.querySelectorAll('[data-show-if]').forEach((block) => {
      const c = JSON.parse(block.dataset.showIf);
      const parent = document.getElementById('q-' + c.question);
      if (!parent) return;
      const a = answerOf(parent).value;
      let shown = false;
      if (a) {
        const v = a.status || a.value;
        if (c.op === 'equals') shown = v === c.values[0];
        else if (c.op === 'in') shown = c.values.indexOf(v) >= 0;
        else if (c.op === 'at_least') {
          let level = 0;
          if (a.levels) { while (a.levels.indexOf(level + 1) >= 0) level++; } else level = Number(v);
          shown = level >= c.number;
        }
      }
      block.hidden = !shown;
    });
  }

  form.addEventListener('change', (event) => {
    const block = event.target.closest('[data-question]');
    if (!block) return;
    pending[block.dataset.question] = answerOf(block);
    keep();
    send(block.dataset.question);
    visibility();
  });
  window.addEventListener('online', flush);
  setInterval(flush, 15000);
  visibility();
  flush();  // answers left from an earlier visit
})();
