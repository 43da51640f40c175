// phoneprov admin page. Everything works without this script; it only asks before
// buttons marked data-confirm and moves focus to the first error.
"use strict";
document.addEventListener("submit", (event) => {
  const button = event.submitter;
  const question = button && button.dataset.confirm;
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});
document.addEventListener("DOMContentLoaded", () => {
  const problem = document.querySelector(".problem");
  if (problem) {
    problem.setAttribute("tabindex", "-1");
    problem.focus();
  }
});
