/* The survey form (public and paper entry): questions skipped by an answer's jump (data-goto) are hidden as
   the respondent answers. Progressive enhancement only: without JavaScript the server follows the jumps. */
(function () {
  var questions = [].slice.call(document.querySelectorAll("fieldset.question[data-number]"));
  if (!questions.length) return;
  function update() {
    var skipUntil = 0;
    questions.forEach(function (q) {
      var skipped = Number(q.dataset.number) < skipUntil;
      q.hidden = skipped;
      if (skipped) return;
      var jump = q.querySelector("input[type=radio][data-goto]:checked");
      if (jump) skipUntil = Number(jump.dataset.goto);
    });
  }
  document.addEventListener("change", update);
  update();
})();
