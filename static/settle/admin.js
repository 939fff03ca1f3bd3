/* Settle back office: small progressive enhancements. Every page works without them;
   the server's one-time form token is what makes a double submission harmless. */
(function () {
  "use strict";

  // Money forms: one submission per page view; the button says what is happening.
  function guardForms() {
    document.querySelectorAll("form[data-once]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!form.hasAttribute("data-once")) return;
        if (form.dataset.submitted === "yes") {
          event.preventDefault();
          return;
        }
        form.dataset.submitted = "yes";
        form.querySelectorAll("input[type=submit][data-busy-label]").forEach(function (button) {
          window.setTimeout(function () {
            button.dataset.label = button.value;
            button.value = button.dataset.busyLabel;
            button.disabled = true;
          }, 0);
        });
      });
    });
  }

  // A form that cannot be undone (data-confirm) asks first. Without this script it submits.
  function confirmForms() {
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.dataset.confirm)) event.preventDefault();
      });
    });
  }

  // A page restored from the back/forward cache must be usable again.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    document.querySelectorAll("form[data-once]").forEach(function (form) {
      delete form.dataset.submitted;
      form.querySelectorAll("input[type=submit][data-busy-label]").forEach(function (button) {
        if (button.dataset.label) button.value = button.dataset.label;
        button.disabled = false;
      });
    });
  });

  // Create payment: the External fields only matter when "External" is chosen, and the one
  // button shown says what pressing it does: "Charge card" once a card is chosen, else
  // "Record payment". Without this script both buttons show and the server checks the press.
  function paymentMethod() {
    var form = document.querySelector("#payment-create-form");
    if (!form) return;
    var fields = form.querySelector("[data-external-fields]");
    var row = form.querySelector("[data-method-submits]");
    var record = row && row.querySelector("input[name=record]");
    var charge = row && row.querySelector("input[name=charge]");
    function show(button, shown) {
      if (!button) return;
      button.hidden = !shown;
      button.disabled = !shown;
      // The first submit button is the one Enter presses: keep the shown one first.
      if (shown) row.insertBefore(button, row.firstChild);
    }
    function update() {
      var checked = form.querySelector("input[name=method]:checked");
      var method = checked ? checked.value : "";
      if (fields) fields.hidden = method !== "external";
      var charging = method !== "" && method !== "external";
      if (record && charge) {
        show(record, !charging);
        show(charge, charging);
      }
    }
    form.querySelectorAll("input[name=method]").forEach(function (radio) {
      radio.addEventListener("change", update);
    });
    update();
  }

  // The … menus: one open at a time, closed by a click elsewhere or Escape.
  function menus() {
    document.addEventListener("click", function (event) {
      document.querySelectorAll("details.settle-menu[open]").forEach(function (menu) {
        if (!menu.contains(event.target)) menu.removeAttribute("open");
      });
    });
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape") return;
      document.querySelectorAll("details.settle-menu[open]").forEach(function (menu) {
        menu.removeAttribute("open");
      });
    });
  }

  // Create credit note: a live preview of the credit's total and of the parts given.
  // The server prices the credit again and checks that the parts add up.
  function creditPreview() {
    var form = document.querySelector("#credit-note-form");
    if (!form) return;
    var places = parseInt(form.dataset.exponent || "2", 10);
    var scale = Math.pow(10, places);
    var format = new Intl.NumberFormat(undefined, {
      style: "currency", currency: form.dataset.currency,
      minimumFractionDigits: places, maximumFractionDigits: places,
    });
    function round(value) { return Math.round((value + Number.EPSILON) * scale) / scale; }
    function number(input) {
      var value = input ? parseFloat(input.value) : NaN;
      return isNaN(value) ? null : value;
    }
    function update() {
      var total = 0;
      var fixed = number(form.querySelector("[name=fixed_amount]"));
      if (fixed !== null) {
        total = fixed;
      } else {
        form.querySelectorAll("tr[data-credit-line]").forEach(function (row) {
          var inputs = row.querySelectorAll("input");
          var quantity = number(inputs[0]);
          var amount = number(inputs[1]);
          var net = amount !== null ? amount
            : quantity !== null ? round(quantity * parseFloat(row.dataset.unitPrice)) : 0;
          net = round(net);
          total += net + round(net * parseFloat(row.dataset.taxRate) / 100);
        });
      }
      var parts = 0;
      ["to_invoice", "to_balance", "refund_amount", "outside_amount"].forEach(function (name) {
        var value = number(form.querySelector("[name=" + name + "]"));
        if (value !== null) parts += value;
      });
      total = round(total);
      parts = round(parts);
      form.querySelectorAll(".settle-credit-total").forEach(function (line) { line.hidden = total <= 0; });
      form.querySelector("[data-credit-total]").textContent = format.format(total);
      form.querySelector("[data-allocated]").textContent = parts ? format.format(parts) : "none";
      form.querySelector("[data-allocation-hint]").textContent = !parts
        ? "the whole credit is taken off the amount due"
        : parts === total ? "they add up" : "they must add up to " + format.format(total);
    }
    form.addEventListener("input", update);
    update();
  }

  // Draft invoice: "Add line" adds a row from the formset's empty form here and now. Without
  // this script the same button asks the server for the page again with one more row.
  function draftLines() {
    var form = document.querySelector("#draft-form");
    if (!form) return;
    var template = form.querySelector("#draft-line-template");
    var body = form.querySelector("[data-lines]");
    var total = form.querySelector("input[name$='-TOTAL_FORMS']");
    var button = form.querySelector("[data-add-line]");
    if (!template || !body || !total || !button) return;
    button.addEventListener("click", function (event) {
      event.preventDefault();
      var index = parseInt(total.value, 10) || 0;
      var holder = document.createElement("tbody");
      holder.innerHTML = template.innerHTML.replace(/__prefix__/g, String(index));
      var row = holder.querySelector("tr");
      body.appendChild(row);
      total.value = String(index + 1);
      var first = row.querySelector("input[type=text]");
      if (first) first.focus();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    draftLines();
    guardForms();
    confirmForms();
    paymentMethod();
    menus();
    creditPreview();
  });
})();
