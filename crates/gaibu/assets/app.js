// Small progressive enhancements; every page works without them.

// A choice that needs another field (a reason to return or reject) makes it required, so the
// browser checks the form before any confirmation is asked.
function syncRequires(form) {
  form.querySelectorAll("[data-requires]").forEach(function (opt) {
    var target = document.getElementById(opt.getAttribute("data-requires"));
    if (!target) return;
    var needed = Array.prototype.some.call(
      form.querySelectorAll('[data-requires="' + target.id + '"]'),
      function (o) { return o.checked; });
    if (needed) { target.setAttribute("required", ""); } else { target.removeAttribute("required"); }
  });
}
document.addEventListener("change", function (e) {
  if (e.target.form && e.target.hasAttribute("data-requires")) syncRequires(e.target.form);
  if (e.target.form && e.target.type === "radio") syncRequires(e.target.form);
});

// Confirm only what passed the form's own checks (the submit event comes after them): the
// form's message, or that of the chosen option (approve, return, reject).
document.addEventListener("submit", function (e) {
  var form = e.target;
  var chosen = form.querySelector("input[type=radio][data-confirm]:checked");
  var msg = chosen ? chosen.getAttribute("data-confirm") : form.getAttribute("data-confirm");
  if (msg && !window.confirm(msg)) { e.preventDefault(); }
});

document.addEventListener("DOMContentLoaded", function () {
  // A field in error names its message; the summary at the top takes the focus so that a
  // screen reader reads it, and its links move to the fields.
  document.querySelectorAll(".has-error").forEach(function (w, i) {
    var msg = w.querySelector(".field-error");
    if (!msg) return;
    if (!msg.id) msg.id = "field-error-" + i;
    w.querySelectorAll("input:not([type=hidden]), select, textarea").forEach(function (f) {
      f.setAttribute("aria-invalid", "true");
      var ids = (f.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
      if (ids.indexOf(msg.id) < 0) ids.push(msg.id);
      f.setAttribute("aria-describedby", ids.join(" "));
    });
  });
  var summary = document.getElementById("form-errors");
  if (summary) {
    summary.querySelectorAll("a[data-field]").forEach(function (a) {
      var name = a.getAttribute("data-field");
      var field = document.getElementById(name) ||
        document.querySelector('[name="' + name.replace(/"/g, "") + '"]');
      if (!field) return;
      a.addEventListener("click", function (ev) {
        ev.preventDefault();
        field.scrollIntoView({ block: "center" });
        var focusable = field.matches("fieldset") ? field.querySelector("input, select, textarea") : field;
        (focusable || field).focus();
      });
    });
    summary.focus();
  }
  document.querySelectorAll("form").forEach(syncRequires);
});
