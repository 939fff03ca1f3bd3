/* Bank statements: the review page from the keyboard, and the import page's CSV fields.
   Every action is a plain form that works without this script; the keys only move the
   focus between lines, open a line's forms and press its buttons. */
(function () {
  "use strict";

  var TEXT_FIELDS = "input, select, textarea, [contenteditable]";

  function lines() {
    return Array.prototype.slice.call(document.querySelectorAll("[data-line]"));
  }

  function focusLine(line, scroll) {
    if (!line) return;
    line.focus({ preventScroll: !scroll });
    if (scroll) line.scrollIntoView({ block: "nearest" });
  }

  function move(current, step) {
    var all = lines();
    if (!all.length) return;
    var index = current ? all.indexOf(current) + step : 0;
    focusLine(all[Math.max(0, Math.min(all.length - 1, index))], true);
  }

  // Open one of the line's forms (split, ignore, undo) and put the cursor in it.
  function openForm(line, name) {
    var details = line.querySelector("details[data-form=" + name + "]");
    if (!details) return false;
    line.querySelectorAll("details[data-form][open]").forEach(function (other) {
      if (other !== details) other.removeAttribute("open");
    });
    details.setAttribute("open", "");
    var field = details.querySelector(
      ".errorlist + select, .errorlist + input, select, input[type=text], input[type=radio]:checked, input[type=radio]"
    );
    (field || details.querySelector("button[type=submit]")).focus();
    return true;
  }

  function confirmLine(line) {
    var button = line.querySelector("[data-action=confirm]");
    if (button) {
      button.click();
      return;
    }
    openForm(line, "split"); // nothing proposed: say what it pays
  }

  function onKey(event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    var line = target.closest ? target.closest("[data-line]") : null;
    if (event.key === "Escape" && line) {
      var open = target.closest("details[data-form]");
      if (open) {
        open.removeAttribute("open");
        focusLine(line, false);
        event.preventDefault();
      }
      return;
    }
    if (target.matches && target.matches(TEXT_FIELDS)) return;
    var onRow = line && target === line;
    switch (event.key) {
      case "j":
      case "ArrowDown":
        if (event.key === "ArrowDown" && !onRow && line) return;
        move(line, 1);
        break;
      case "k":
      case "ArrowUp":
        if (event.key === "ArrowUp" && !onRow && line) return;
        move(line, -1);
        break;
      case "Enter":
        if (!onRow) return; // a focused button or link does what it says
        confirmLine(line);
        break;
      case "c":
        if (!line) return;
        confirmLine(line);
        break;
      case "s":
        if (!line || !openForm(line, "split")) return;
        break;
      case "i":
        if (!line || !openForm(line, "ignore")) return;
        break;
      case "u":
        if (!line || !openForm(line, "undo")) return;
        break;
      default:
        return;
    }
    event.preventDefault();
  }

  // Where to start: the line just refused, else the line the last action pointed at,
  // else the first line.
  function startingLine() {
    var refused = document.querySelector("[data-line].has-error");
    if (refused) {
      var open = refused.querySelector("details[data-form][open]");
      if (open) {
        openForm(refused, open.getAttribute("data-form"));
        return;
      }
      focusLine(refused, true);
      return;
    }
    var hash = window.location.hash.slice(1);
    var target = hash && document.getElementById(hash);
    if (target && target.hasAttribute("data-line")) {
      focusLine(target, true);
      return;
    }
    focusLine(lines()[0], false);
  }

  function reviewPage() {
    if (!document.querySelector("[data-bank-review]")) return;
    // A phone has no keys to list: the shortcuts stay one tap away.
    var keys = document.querySelector(".bank-keys");
    if (keys && window.matchMedia("(max-width: 767px)").matches) keys.removeAttribute("open");
    document.addEventListener("keydown", onKey);
    startingLine();
  }

  // Import: a saved account fills the CSV fields with its saved mapping; CSV fields hide
  // for the formats that do not use them.
  function importPage() {
    var form = document.querySelector("#bank-import-form");
    if (!form) return;
    var holder = document.getElementById("bank-saved-mappings");
    var saved = holder ? JSON.parse(holder.textContent) : {};
    var account = form.querySelector("[name=bank_account]");
    var format = form.querySelector("[name=format]");
    var csv = form.querySelector("[data-csv-fields]");
    if (account) {
      account.addEventListener("change", function () {
        var mapping = saved[account.value];
        if (!mapping) return;
        Object.keys(mapping).forEach(function (name) {
          var field = form.querySelector("[name=" + name + "]");
          if (!field) return;
          if (field.type === "checkbox") field.checked = !!mapping[name];
          else field.value = mapping[name];
        });
      });
    }
    if (format && csv) {
      var update = function () {
        csv.hidden = format.value === "camt053" || format.value === "mt940";
      };
      format.addEventListener("change", update);
      update();
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    reviewPage();
    importPage();
  });
})();
