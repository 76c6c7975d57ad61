// The questionnaire editor, nicer with JavaScript: a changed answer type is applied at once (the server shows the
// answers or rows that type needs), and the focus comes back to the same select. Without this file the officer
// presses «Apply changes»; the form works the same.
(function () {
  "use strict";
  var form = document.getElementById("editor");
  if (!form) { return; }
  form.addEventListener("change", function (event) {
    var select = event.target;
    if (!select.classList || !select.classList.contains("q-type")) { return; }
    var focus = document.createElement("input");
    focus.type = "hidden";
    focus.name = "focus";
    focus.value = select.id;
    form.appendChild(focus);
    var apply = form.querySelector("button[name=action][value=apply]");
    if (form.requestSubmit) { form.requestSubmit(apply); } else { apply.click(); }
  });
}());
