// "Copy" buttons beside invitation links: <button data-copy="#input-id">. Delegated, so
// buttons swapped in by htmx work too.
document.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-copy]");
  if (!button) return;
  const input = document.querySelector(button.dataset.copy);
  if (!input) return;
  input.select();
  const done = () => { button.textContent = "Copied"; };
  if (navigator.clipboard) {
    navigator.clipboard.writeText(input.value).then(done, () => document.execCommand("copy"));
  } else if (document.execCommand("copy")) {
    done();
  }
});
