// Onboarding, nicer with JavaScript: choosing a profile fills in the fields from it at once (the same round trip
// as the «Fill in from the profile» button, which works without JavaScript).
document.addEventListener("DOMContentLoaded", function () {
  var select = document.getElementById("profile");
  if (!select) return;
  select.addEventListener("change", function () {
    var button = select.form.querySelector('button[name="action"][value="prefill"]');
    if (select.value && button) button.click();
  });
});
