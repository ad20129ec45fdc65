// django-celery-beat's periodic task form: shows a readable form of the chosen
// crontab under the field (its template did this with an inline script).
(function ($) {
  "use strict";
  var source = document.getElementById("readable-crontabs");
  var script = document.getElementById("periodic-task-overrides");
  if (!source || !script || !$) return;
  var readableCrontabs = JSON.parse(source.textContent);
  var originalHelp = script.dataset.crontabHelp || "";

  function updateCrontabHelp(additional) {
    var help = $(".field-crontab .help");
    help.text(originalHelp);
    if (additional) help.append($("<br>"), document.createTextNode(additional));
  }

  $(".field-crontab_translation").hide();
  $(".field-crontab").change(function () {
    updateCrontabHelp(readableCrontabs[$("#id_crontab").val()]);
  });
})(window.django && window.django.jQuery);
