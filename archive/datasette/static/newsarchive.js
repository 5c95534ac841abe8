/* newsarchive: on a table page, fold Datasette's list of column descriptions into a closed
   <details> so the first screen shows rows, not the list (without JavaScript it stays open). */
document.addEventListener("DOMContentLoaded", () => {
  for (const list of document.querySelectorAll("dl.column-descriptions")) {
    const details = document.createElement("details");
    details.className = "na-column-descriptions";
    const summary = document.createElement("summary");
    summary.textContent = "Mô tả các cột · Column descriptions";
    list.replaceWith(details);
    details.append(summary, list);
  }
});
