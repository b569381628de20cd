// The report's only script: click a column header of a .sortable table to sort by it. Cells carry
// their raw value in data-v so "1,234" and "12.3ms" sort as numbers. The page works without it.
export const SORT_SCRIPT = `
(function () {
  document.querySelectorAll('table.sortable').forEach(function (table) {
    var heads = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(heads, function (th, col) {
      var button = th.querySelector('button');
      if (!button) return;
      button.addEventListener('click', function () {
        var numeric = th.getAttribute('data-type') === 'num';
        var current = th.getAttribute('aria-sort');
        var dir = current ? (current === 'descending' ? 'ascending' : 'descending') : (numeric ? 'descending' : 'ascending');
        Array.prototype.forEach.call(heads, function (h) { h.removeAttribute('aria-sort'); });
        th.setAttribute('aria-sort', dir);
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        var key = function (row) {
          var cell = row.cells[col];
          var raw = cell.hasAttribute('data-v') ? cell.getAttribute('data-v') : cell.textContent;
          return numeric ? Number(raw) : String(raw);
        };
        rows.sort(function (a, b) {
          var x = key(a), y = key(b);
          var c = numeric ? x - y : String(x).localeCompare(String(y), undefined, { numeric: true });
          return dir === 'ascending' ? c : -c;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  });
})();
`;
