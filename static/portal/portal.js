// The portal's only script: buttons marked data-print print the page. Kept out of the
// templates so the Content Security Policy can forbid inline script and event handlers.
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});
