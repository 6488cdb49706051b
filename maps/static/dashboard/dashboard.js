/* riskmap dashboard: pick a profile, move weights, see scores, ranking and explanations. */
"use strict";
(function () {
  var CFG = window.RISKMAP;
  var T = {
    vi: {title: "Bản đồ nguy cơ mua bán người theo xã", profile: "Hồ sơ", lang: "Ngôn ngữ",
      weights: "Trọng số", weights_hint: "Kéo thanh trượt: điểm được tính lại ngay (không lưu).",
      reset: "Trọng số gốc", downloads: "Tải về", downloads_hint: "Theo lần tính đã lưu của hồ sơ.",
      click_hint: "Bấm vào một xã để xem các yếu tố.", top: "Các xã nguy cơ cao nhất",
      rank: "Hạng", commune: "Xã", district: "Huyện", score: "Điểm", "class": "Mức",
      computing: "Đang tính lại…", updated: "Đã cập nhật", custom: "trọng số tuỳ chỉnh (chưa lưu)",
      stored: "lần tính đã lưu", drivers: "Yếu tố chính", indicator: "Chỉ số", points: "điểm",
      zero: "Cần ít nhất một trọng số lớn hơn 0.", error: "Lỗi", synthetic: "DỮ LIỆU MÔ PHỎNG",
      key: "Khóa API", use_key: "Dùng khóa", forget_key: "Quên khóa",
      need_key: "Máy chủ này cần khóa API: nhập khóa của đơn vị.", withheld: "ẩn (số người nhỏ)"},
    en: {title: "Human-trafficking risk by commune", profile: "Profile", lang: "Language",
      weights: "Weights", weights_hint: "Move a slider: scores are recomputed at once (not stored).",
      reset: "Profile weights", downloads: "Download", downloads_hint: "From the profile's stored run.",
      click_hint: "Click a commune to see its drivers.", top: "Highest-risk communes",
      rank: "Rank", commune: "Commune", district: "District", score: "Score", "class": "Class",
      computing: "Recomputing…", updated: "Updated", custom: "custom weights (not stored)",
      stored: "stored run", drivers: "Main drivers", indicator: "Indicator", points: "points",
      zero: "At least one weight must be above 0.", error: "Error", synthetic: "SYNTHETIC DATA",
      key: "API key", use_key: "Use key", forget_key: "Forget key",
      need_key: "This server needs an API key: enter your office's key.",
      withheld: "withheld (small count)"}
  };
  var KEY = "riskmap-key";  // sessionStorage: the key lives only as long as the tab
  var state = {lang: "vi", profiles: {}, profile: null, weights: {}, data: null, layer: null,
    selected: null, timer: null, request: 0, key: sessionStorage.getItem(KEY) || ""};
  var map = L.map("map", {zoomControl: true, maxZoom: 18, preferCanvas: true});
  L.control.scale({imperial: false}).addTo(map);
  var legend = L.control({position: "bottomright"});
  legend.onAdd = function () { this._div = L.DomUtil.create("div", "legend"); return this._div; };
  legend.addTo(map);

  function t(key) { return T[state.lang][key]; }
  function $(id) { return document.getElementById(id); }
  function esc(s) {
    return String(s == null ? "" : s).replace(/[&<>"']/g, function (c) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c];
    });
  }
  function label(name) { var l = CFG.labels[name]; return l ? l[state.lang] : name; }
  function status(text, isError) {
    $("status").textContent = text || ""; $("status").style.color = isError ? "#ff8a80" : "#ffd27f";
  }
  function authorised(options) {
    var out = Object.assign({}, options || {});
    out.headers = Object.assign({}, out.headers || {});
    if (state.key) { out.headers.Authorization = "Bearer " + state.key; }
    return out;
  }
  function send(url, options) {
    return fetch(url, authorised(options)).then(function (r) {
      if (r.ok) { return r; }
      if (r.status === 401) { askForKey(); }
      return r.json().catch(function () { return {}; }).then(function (p) {
        throw new Error(p.detail || (r.status + " " + r.statusText));
      });
    });
  }
  function api(url, options) { return send(url, options).then(function (r) { return r.json(); }); }

  function askForKey() {
    useKey("");  // a key the server refused is forgotten
    $("keyform").hidden = false; $("key").focus();
  }
  function useKey(key) {
    state.key = key;
    if (key) { sessionStorage.setItem(KEY, key); } else { sessionStorage.removeItem(KEY); }
    $("keyform").hidden = !!key; $("forget").hidden = !key;
  }

  function relabel() {
    document.documentElement.lang = state.lang;
    document.querySelectorAll("[data-t]").forEach(function (el) { el.textContent = t(el.dataset.t); });
    var sel = $("profile");
    Array.prototype.forEach.call(sel.options, function (o) {
      var p = state.profiles[o.value]; o.textContent = (p.title && p.title[state.lang]) || p.name;
    });
    legend._div.innerHTML = "<b>" + t("class") + "</b><br>" + [5, 4, 3, 2, 1].map(function (c) {
      return '<span class="swatch" style="background:' + CFG.colours[c] + '"></span>'
        + esc(CFG.classes[c][state.lang]);
    }).join("<br>");
    renderSliders(); renderDownloads();
    if (state.data) { draw(state.data, false); }
  }

  function renderSliders() {
    var total = sum(state.weights), box = $("sliders");
    box.innerHTML = "";
    Object.keys(state.weights).forEach(function (name) {
      var w = state.weights[name], share = total > 0 ? w / total : 0;
      var div = document.createElement("div");
      div.className = "slider";
      div.innerHTML = '<label for="w-' + name + '"><span>' + esc(label(name)) + "</span><b>"
        + Math.round(share * 100) + ' %</b></label><input type="range" min="0" max="1" step="0.05" id="w-'
        + name + '" data-indicator="' + name + '" value="' + w + '">';
      box.appendChild(div);
    });
    box.querySelectorAll("input").forEach(function (input) {
      input.addEventListener("input", function () {
        state.weights[input.dataset.indicator] = parseFloat(input.value);
        var total2 = sum(state.weights);
        box.querySelectorAll(".slider").forEach(function (d) {
          var i = d.querySelector("input");
          d.querySelector("b").textContent = (total2 > 0 ? Math.round(state.weights[i.dataset.indicator] / total2 * 100) : 0) + " %";
        });
        clearTimeout(state.timer); state.timer = setTimeout(rescore, 350);
      });
    });
  }
  function sum(w) { return Object.keys(w).reduce(function (s, k) { return s + w[k]; }, 0); }
  function normalised() {
    var total = sum(state.weights), out = {};
    Object.keys(state.weights).forEach(function (k) { out[k] = state.weights[k] / total; });
    return out;
  }

  function renderDownloads() {
    if (!state.profile) { $("downloads").innerHTML = ""; return; }
    $("downloads").innerHTML = ["pdf", "png", "gpkg", "geojson", "csv"].map(function (f) {
      return '<a download="riskmap-' + state.profile + "." + f + '" href="/exports/' + state.profile
        + "." + f + "?lang=" + state.lang + '" data-format="' + f + '">' + f.toUpperCase() + "</a>";
    }).join("");
    $("downloads").querySelectorAll("a").forEach(function (a) {
      a.addEventListener("click", function (e) {
        if (!state.key) { return; }  // no key: the browser downloads the link itself
        e.preventDefault();  // a link cannot send the key, so fetch the file and save it
        send(a.getAttribute("href")).then(function (r) { return r.blob(); }).then(function (blob) {
          var url = URL.createObjectURL(blob), save = document.createElement("a");
          save.href = url; save.download = a.getAttribute("download");
          document.body.appendChild(save); save.click(); save.remove();
          setTimeout(function () { URL.revokeObjectURL(url); }, 60000);
        }).catch(function (err) { status(t("error") + ": " + err.message, true); });
      });
    });
  }

  function rescore() {
    if (sum(state.weights) <= 0) { status(t("zero"), true); return; }
    var id = ++state.request;
    status(t("computing"));
    // the quick answer: no geometry (the layer keeps its shapes), no sensitivity or hot spots
    api("/scores?geometry=false&analyses=false", {method: "POST", headers: {"Content-Type": "application/json"},
      body: JSON.stringify({profile: state.profile, weights: normalised()})})
      .then(function (fc) { if (id === state.request) { recolour(fc); status(t("updated") + " · " + t("custom")); } })
      .catch(function (e) { status(t("error") + ": " + e.message, true); });
  }

  function loadStored() {
    status(t("computing"));
    return api("/scores?profile=" + encodeURIComponent(state.profile)).then(function (fc) {
      draw(fc, true); status(t("stored") + (fc.run_id ? " " + fc.run_id : ""));
    }).catch(function (e) { status(t("error") + ": " + e.message, true); });
  }

  function draw(fc, fit) {
    state.data = fc;
    if (state.layer) { map.removeLayer(state.layer); }
    state.layer = L.geoJSON(fc, {
      style: function (f) {
        var sel = f.properties.commune_code === state.selected;
        return {fillColor: CFG.colours[f.properties["class"]], fillOpacity: 0.78,
          color: sel ? "#000" : "#555", weight: sel ? 3 : 0.6};
      },
      onEachFeature: function (f, layer) {
        layer.bindTooltip(function () {
          var p = layer.feature.properties;
          return "<b>" + esc(p.commune_name) + "</b><br>" + t("score") + ": "
            + p.score.toFixed(1) + " · " + esc(className(p)) + " · " + t("rank") + " " + p.rank;
        }, {sticky: true});
        layer.on("click", function () { select(layer.feature.properties.commune_code); });
      }
    }).addTo(map);
    if (fit) { map.fitBounds(state.layer.getBounds()); }
    $("note").textContent = fc.synthetic ? t("synthetic") : "";
    renderTable(fc.features.map(function (f) { return f.properties; }));
    if (state.selected) { explain(state.selected); }
  }
  function recolour(fc) {  // new scores onto the drawn communes, by commune_code: no redraw
    var byCode = {};
    fc.features.forEach(function (f) { byCode[f.properties.commune_code] = f.properties; });
    state.layer.eachLayer(function (l) {
      var p = byCode[l.feature.properties.commune_code];
      if (p) { l.feature.properties = p; }  // the stored run's analyses do not apply any more
    });
    state.layer.setStyle(state.layer.options.style);
    renderTable(fc.features.map(function (f) { return f.properties; }));
    if (state.selected) { explain(state.selected); }
  }
  function className(p) { return state.lang === "vi" ? p.class_label : p.class_label_en; }

  function renderTable(rows) {
    rows.sort(function (a, b) { return a.rank - b.rank; });
    $("ranking").querySelector("tbody").innerHTML = rows.slice(0, 20).map(function (p) {
      return '<tr data-code="' + esc(p.commune_code) + '"><td>' + p.rank + "</td><td>" + esc(p.commune_name)
        + "</td><td>" + esc(p.district_name) + "</td><td>" + p.score.toFixed(1) + '</td><td><span class="swatch" style="background:'
        + CFG.colours[p["class"]] + '"></span>' + esc(className(p)) + "</td></tr>";
    }).join("");
    $("ranking").querySelectorAll("tbody tr").forEach(function (tr) {
      tr.addEventListener("click", function () { select(tr.dataset.code, true); });
    });
  }

  function select(code, zoom) {
    state.selected = code;
    state.layer.setStyle(state.layer.options.style);
    state.layer.eachLayer(function (l) {
      if (l.feature.properties.commune_code === code) {
        l.bringToFront(); if (zoom) { map.fitBounds(l.getBounds(), {maxZoom: 12}); }
      }
    });
    explain(code);
  }

  function explain(code) {
    var current = state.data.features.filter(function (f) { return f.properties.commune_code === code; })[0];
    api("/communes/" + encodeURIComponent(code) + "?profile=" + encodeURIComponent(state.profile)).then(function (d) {
      var w = normalised(), p = current ? current.properties : d;
      var hidden = d.indicators.some(function (i) { return i.withheld; });
      // contributions add up to the score: share out the current score by weight × normalised
      // value; a withheld rate (a small count of people) is not shared out, so the rest stand as is
      var raw = d.indicators.map(function (i) { return i.withheld ? 0 : i.normalised * (w[i.indicator] || 0); });
      var total = raw.reduce(function (s, v) { return s + v; }, 0);
      var rows = d.indicators.map(function (i, k) {
        return {name: i.indicator, label: state.lang === "vi" ? i.label_vi : i.label_en,
          withheld: i.withheld,
          points: hidden ? raw[k] : (total > 0 ? p.score * raw[k] / total : 0)};
      }).sort(function (a, b) { return b.points - a.points; });
      var drivers = rows.filter(function (r) { return r.points > 0; }).slice(0, 3);
      $("detail").innerHTML = "<h3>" + esc(d.commune_name) + "</h3><div>" + esc(d.district_name || "")
        + "</div><p>" + t("score") + ": <b>" + p.score.toFixed(1) + "</b> · " + esc(className(p))
        + " · " + t("rank") + " " + p.rank + "</p><h2>" + t("drivers") + '</h2><ol id="drivers">'
        + drivers.map(function (r) { return "<li>" + esc(r.label) + "</li>"; }).join("") + "</ol><table><tbody>"
        + rows.map(function (r) {
          if (r.withheld) {
            return "<tr><td>" + esc(r.label) + '</td><td class="withheld">' + t("withheld") + "</td></tr>";
          }
          return "<tr><td>" + esc(r.label) + '</td><td><span class="bar" style="width:' + Math.round(p.score > 0 ? r.points / p.score * 120 : 0)
            + 'px"></span> ' + r.points.toFixed(1) + " " + t("points") + "</td></tr>";
        }).join("") + "</tbody></table>";
    }).catch(function (e) { $("detail").textContent = t("error") + ": " + e.message; });
  }

  function setProfile(name) {
    state.profile = name; state.weights = Object.assign({}, state.profiles[name].weights);
    renderSliders(); renderDownloads(); return loadStored();
  }

  $("profile").addEventListener("change", function (e) { setProfile(e.target.value); });
  $("keyform").addEventListener("submit", function (e) {
    e.preventDefault();
    var key = $("key").value.trim();
    if (key) { useKey(key); $("key").value = ""; start(); }
  });
  $("forget").addEventListener("click", function () { useKey(""); location.reload(); });
  $("lang").addEventListener("change", function (e) { state.lang = e.target.value; relabel(); });
  $("reset").addEventListener("click", function () { setProfile(state.profile); });

  function start() {
    return api("/profiles").then(function (list) {
      $("profile").innerHTML = ""; state.profiles = {};
      list.forEach(function (p) {
        state.profiles[p.name] = p;
        var o = document.createElement("option"); o.value = p.name; $("profile").appendChild(o);
      });
      state.profile = state.profiles.patrol ? "patrol" : list[0].name;
      $("profile").value = state.profile;
      relabel();
      return setProfile(state.profile);
    }).catch(function (e) {
      status(t("error") + ": " + e.message + ($("keyform").hidden ? "" : " · " + t("need_key")), true);
    });
  }
  $("forget").hidden = !state.key;
  if (CFG.keys && !state.key) {  // no request without a key: the server would only say 401
    askForKey(); relabel(); status(t("need_key"));
  } else {
    start();
  }
})();
