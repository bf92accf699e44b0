// Search-as-you-type for employer fields: suggestions from the team's register in a <datalist>.
(function () {
  document.querySelectorAll("input[data-employer-search]").forEach(function (input) {
    var list = document.getElementById(input.getAttribute("list"));
    var timer = null;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        fetch(input.dataset.employerSearch + "?q=" + encodeURIComponent(input.value), {credentials: "same-origin"})
          .then(function (r) { return r.ok ? r.json() : []; })
          .then(function (items) {
            list.replaceChildren.apply(list, items.map(function (e) {
              var option = document.createElement("option");
              option.value = e.name;
              return option;
            }));
          });
      }, 150);
    });
  });
})();
