/* riskmap dashboard for planners: layers, weights, ranking, commune panel, plans, comparison,
   downloads. Plain JS on Leaflet; every word comes from window.RISKMAP.words (risk/words/dashboard.py);
   every data string is escaped before it reaches the page. */
"use strict";
(function () {
  var CFG = window.RISKMAP;
  var KEY = "riskmap-key";  // sessionStorage: the key lives only as long as the tab
  var FORMATS = ["pdf", "png", "docx", "xlsx", "csv", "gpkg", "geojson", "kml", "kmz", "gpx"];
  var LAYERS = ["communes", "hotspots", "border", "crossings", "venues", "zones", "plans", "page_plans"];
  var SOURCES = {border: "border", crossings: "crossings", venues: "venues", zones: "industrial_zones"};
  //: score change (points) → colour: falls blue, rises red (ColorBrewer RdBu, 7 classes)
  var CHANGE = [[-10, "#2166ac"], [-5, "#67a9cf"], [-1, "#d1e5f0"], [1, "#f7f7f7"],
    [5, "#fddbc7"], [10, "#ef8a62"], [Infinity, "#b2182b"]];
  var state = {lang: "vi", profiles: {}, profile: null, weights: {}, props: {}, rows: [], layer: null,
    selected: null, timer: null, request: 0, key: sessionStorage.getItem(KEY) || "", run: null,
    changes: null, comparison: null, against: "", plan: null, compareRequest: 0, layersLoaded: false};
  var map = L.map("map", {zoomControl: true, maxZoom: 18, preferCanvas: true});
  function leafletWords() {  // Leaflet's own titles and attribution in the page's language
    map.attributionControl.setPrefix('<a href="https://leafletjs.com" title="'
      + esc(t("leaflet_title")) + '">Leaflet</a>');
    var titles = {"leaflet-control-layers-toggle": "layers_title",
      "leaflet-control-zoom-in": "zoom_in", "leaflet-control-zoom-out": "zoom_out"};
    Object.keys(titles).forEach(function (cls) {
      document.querySelectorAll("." + cls).forEach(function (a) {
        a.title = t(titles[cls]); a.setAttribute("aria-label", t(titles[cls]));
      });
    });
  }
  var svg = L.svg();  // overlays with few features stay DOM paths (classes, tests, crisp outlines)
  var groups = {};
  LAYERS.forEach(function (name) {
    groups[name] = name === "venues" && L.markerClusterGroup
      ? L.markerClusterGroup({showCoverageOnHover: false, maxClusterRadius: 45}) : L.featureGroup();
    groups[name].addTo(map);
  });
  var control = null;
  L.control.scale({imperial: false}).addTo(map);
  var legend = L.control({position: "bottomright"});
  legend.onAdd = function () { this._div = L.DomUtil.create("div", "legend"); return this._div; };
  legend.addTo(map);

  // ---- words, escaping, requests -------------------------------------------------------------
  function t(key, values) {
    var text = CFG.words[state.lang][key];
    if (text == null) { return key; }
    return text.replace(/\{(\w+)\}/g, function (m, name) { return values && name in values ? values[name] : m; });
  }
  function $(id) { return document.getElementById(id); }
  function esc(s) {
    return String(s == null ? "" : s).replace(/[&<>"']/g, function (c) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c];
    });
  }
  function label(name) { var l = CFG.labels[name]; return l ? l[state.lang] : name; }
  function kindLabel(kind) { var l = CFG.kinds[kind]; return l ? l[state.lang] : kind; }
  function pct(x) { return x == null ? "–" : (x * 100).toFixed(1) + " %"; }
  function num(x, digits) { return x == null ? "–" : Number(x).toFixed(digits == null ? 1 : digits); }
  function signed(x, digits) { return x == null ? "–" : (x > 0 ? "+" : "") + num(x, digits); }
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
        var err = new Error(p.detail || (r.status + " " + r.statusText));
        err.status = r.status; throw err;
      });
    });
  }
  function api(url, options) { return send(url, options).then(function (r) { return r.json(); }); }
  //: computations (custom scores, plans, exports) one at a time: the server runs only a couple
  //: per key at once and answers 429 to more
  var queue = Promise.resolve();
  function heavy(task) {
    var run = queue.then(task);
    queue = run.catch(function () { return null; });
    return run;
  }
  function q(params) {
    return Object.keys(params).map(function (k) {
      return encodeURIComponent(k) + "=" + encodeURIComponent(params[k]);
    }).join("&");
  }
  function askForKey() {
    useKey("");  // a key the server refused is forgotten
    $("keyform").hidden = false; $("key").focus();
  }
  function useKey(key) {
    state.key = key;
    if (key) { sessionStorage.setItem(KEY, key); } else { sessionStorage.removeItem(KEY); }
    $("keyform").hidden = !!key; $("forget").hidden = !key;
  }

  // ---- labels of the whole page ----------------------------------------------------------------
  function relabel() {
    document.documentElement.lang = state.lang;
    document.querySelectorAll("[data-t]").forEach(function (el) { el.textContent = t(el.dataset.t); });
    Array.prototype.forEach.call($("profile").options, function (o) {
      var p = state.profiles[o.value]; o.textContent = (p.title && p.title[state.lang]) || p.name;
    });
    if ($("against").options.length) { $("against").options[0].textContent = t("no_compare"); }
    renderControl(); renderLegend(); renderSliders(); renderDownloads();
    if (state.layer) { restyle(); renderTable(); }
    if (state.plan) { renderPlanFigures(state.plan); }
    if (state.comparison) { renderComparison(state.comparison); }
    if (state.selected) { explain(state.selected); }
  }
  function renderControl() {
    if (control) { map.removeControl(control); }
    var overlays = {};
    LAYERS.forEach(function (name) { overlays[esc(t("layer_" + name))] = groups[name]; });
    control = L.control.layers(null, overlays, {collapsed: false, position: "topright"}).addTo(map);
    leafletWords();
  }
  function renderLegend() {
    if (state.changes) {
      var lows = [-Infinity].concat(CHANGE.slice(0, -1).map(function (c) { return c[0]; }));
      legend._div.innerHTML = "<b>" + esc(t("change")) + "</b><br>" + CHANGE.map(function (c, i) {
        var lo = lows[i], hi = c[0];
        var text = lo === -Infinity ? t("change_below", {hi: signed(hi, 0)})
          : hi === Infinity ? t("change_above", {lo: signed(lo, 0)})
          : t("change_bin", {lo: signed(lo, 0), hi: signed(hi, 0)});
        return '<span class="swatch" style="background:' + c[1] + '"></span>' + esc(text);
      }).reverse().join("<br>");
      return;
    }
    legend._div.innerHTML = "<b>" + esc(t("class")) + "</b><br>" + [5, 4, 3, 2, 1].map(function (c) {
      return '<span class="swatch" style="background:' + CFG.colours[c] + '"></span>'
        + esc(CFG.classes[c][state.lang]);
    }).join("<br>") + '<div class="kinds">' + Object.keys(CFG.styles.crossings).map(function (kind) {
      var s = CFG.styles.crossings[kind];
      return '<span class="kind"><span class="dot" style="background:' + esc(s[0]) + '"><i class="fa-solid fa-'
        + esc(s[1]) + '"></i></span>' + esc(kindLabel(kind)) + "</span>";
    }).join("") + "</div>";
  }

  // ---- weights ---------------------------------------------------------------------------------
  function renderSliders() {
    var total = sum(state.weights), box = $("sliders");
    box.innerHTML = "";
    Object.keys(state.weights).forEach(function (name) {
      var w = state.weights[name], share = total > 0 ? w / total : 0;
      var div = document.createElement("div");
      div.className = "slider";
      div.innerHTML = '<label for="w-' + esc(name) + '"><span>' + esc(label(name)) + "</span><b>"
        + Math.round(share * 100) + ' %</b></label><input type="range" min="0" max="1" step="0.05" id="w-'
        + esc(name) + '" data-indicator="' + esc(name) + '" value="' + esc(w) + '">';
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
        clearTimeout(state.timer); state.timer = setTimeout(rescore, 350);  // debounce moves
      });
    });
  }
  function sum(w) { return Object.keys(w).reduce(function (s, k) { return s + w[k]; }, 0); }
  function normalised() {
    var total = sum(state.weights), out = {};
    Object.keys(state.weights).forEach(function (k) { out[k] = state.weights[k] / total; });
    return out;
  }

  // ---- downloads -------------------------------------------------------------------------------
  function exportUrl(fmt) {
    var params = {lang: state.lang};
    if (state.run) { params.run = state.run; }
    if (state.against) { params.against = state.against; }
    return "/exports/" + encodeURIComponent(state.profile) + "." + fmt + "?" + q(params);
  }
  function renderDownloads() {
    if (!state.profile) { $("downloads").innerHTML = ""; return; }
    $("downloads").innerHTML = FORMATS.map(function (f) {
      return '<a download="riskmap-' + esc(state.profile) + "." + f + '" href="' + esc(exportUrl(f))
        + '" data-format="' + f + '">' + f.toUpperCase() + "</a>";
    }).join("");
    $("downloads").querySelectorAll("a").forEach(function (a) {
      a.addEventListener("click", function (e) {
        e.preventDefault();  // fetch the file (with the key, if any) so a refusal is shown in words
        status(t("computing"));
        heavy(function () { return send(a.getAttribute("href")); }).then(function (r) { return r.blob(); }).then(function (blob) {
          var url = URL.createObjectURL(blob), save = document.createElement("a");
          save.href = url; save.download = a.getAttribute("download");
          document.body.appendChild(save); save.click(); save.remove();
          status("");
          setTimeout(function () { URL.revokeObjectURL(url); }, 60000);
        }).catch(function (err) {
          status(t("error") + " (" + a.dataset.format.toUpperCase() + "): " + err.message, true);
        });
      });
    });
  }

  // ---- communes: geometry loaded once, re-coloured by commune_code -----------------------------
  function setProps(fc) {
    state.props = {};
    state.rows = fc.features.map(function (f) {
      state.props[f.properties.commune_code] = f.properties; return f.properties;
    });
  }
  function changeColour(change) {
    for (var i = 0; i < CHANGE.length; i++) { if (change < CHANGE[i][0]) { return CHANGE[i][1]; } }
    return CHANGE[CHANGE.length - 1][1];
  }
  function styleFor(feature) {
    var code = feature.properties.commune_code, p = state.props[code];
    var sel = code === state.selected, line = {color: sel ? "#000" : "#555", weight: sel ? 3 : 0.6};
    if (!p) { return {fillOpacity: 0, opacity: 0, weight: 0}; }  // not in the latest answer
    if (state.changes) {
      var c = state.changes[code];
      var fill = c && c.score_change != null ? changeColour(c.score_change) : "#bdbdbd";
      return Object.assign({fillColor: fill, fillOpacity: 0.85, opacity: 1}, line);
    }
    return Object.assign({fillColor: CFG.colours[p["class"]], fillOpacity: 0.78, opacity: 1}, line);
  }
  function restyle() { state.layer.setStyle(styleFor); }
  function className(p) { return state.lang === "vi" ? p.class_label : p.class_label_en; }
  function tooltipFor(layer) {
    var p = state.props[layer.feature.properties.commune_code];
    if (!p) { return ""; }
    var text = "<b>" + esc(p.commune_name) + "</b><br>" + esc(t("score")) + ": " + num(p.score)
      + " · " + esc(className(p)) + " · " + esc(t("rank")) + " " + esc(p.rank);
    var c = state.changes && state.changes[p.commune_code];
    if (c) { text += "<br>" + esc(t("change")) + ": " + signed(c.score_change) + " · " + esc(t("rank_change")) + ": " + signed(c.rank_change, 0); }
    return text;
  }
  function buildLayer(fc) {
    state.layer = L.geoJSON(fc, {
      style: styleFor,
      onEachFeature: function (f, layer) {
        layer.bindTooltip(tooltipFor, {sticky: true});
        layer.on("click", function () { select(f.properties.commune_code); });
      }
    });
    groups.communes.addLayer(state.layer);
    map.fitBounds(state.layer.getBounds());
  }
  function showScores(fc) {
    setProps(fc);
    if (!state.layer) { buildLayer(fc); } else { restyle(); }
    $("note").textContent = fc.synthetic ? t("synthetic") : "";
    renderTable();
    if (state.selected) { explain(state.selected); }
  }
  //: a slider's answer: scores only (the places come from the answer the map was drawn from)
  var QUICK = "/scores?geometry=false&analyses=false&fields=commune_code,score,class,class_label,class_label_en,rank";
  function withPlaces(fc) {
    fc.features.forEach(function (f) {
      var p = f.properties, old = state.props[p.commune_code] || {};
      PLACES.forEach(function (k) { if (old[k] !== undefined) { p[k] = old[k]; } });
    });
    return fc;
  }
  var PLACES = ["commune_name", "district_name", "province_name"];
  function rescore() {
    if (sum(state.weights) <= 0) { status(t("zero"), true); return; }
    var id = ++state.request;  // an older answer arriving late never overwrites a newer one
    status(t("computing"));
    var body = JSON.stringify({profile: state.profile, weights: normalised()});
    heavy(function () {
      if (id !== state.request) { return null; }  // a newer move is queued: skip this one
      return api(QUICK, {method: "POST", headers: {"Content-Type": "application/json"}, body: body});
    }).then(function (fc) { if (fc && id === state.request) { showScores(withPlaces(fc)); status(t("updated") + " · " + t("custom")); } })
      .catch(function (e) { if (id === state.request) { status(t("error") + ": " + e.message, true); } });
  }
  function loadStored() {
    var id = ++state.request;
    status(t("computing"));
    var url = "/scores?" + q({profile: state.profile}) + (state.layer ? "&geometry=false" : "");
    return api(url).then(function (fc) {
      if (id !== state.request) { return; }
      state.run = fc.run_id;
      showScores(fc); drawHotspots(); renderDownloads(); loadRuns(); loadStoredPlans();
      status(t("stored") + (fc.run_id ? " " + fc.run_id : ""));
    }).catch(function (e) { status(t("error") + ": " + e.message, true); });
  }

  function renderTable() {
    var rows = state.rows.slice().sort(function (a, b) { return a.rank - b.rank; });
    $("change-head").hidden = !state.changes;
    $("ranking").querySelector("tbody").innerHTML = rows.slice(0, 20).map(function (p) {
      var c = state.changes && state.changes[p.commune_code];
      return '<tr data-code="' + esc(p.commune_code) + '"><td>' + esc(p.rank) + "</td><td>" + esc(p.commune_name)
        + "</td><td>" + esc(p.district_name) + "</td><td>" + num(p.score) + '</td><td><span class="swatch" style="background:'
        + CFG.colours[p["class"]] + '"></span>' + esc(className(p)) + "</td>"
        + (state.changes ? '<td class="change">' + (c ? signed(c.score_change) : "–") + "</td>" : "") + "</tr>";
    }).join("");
    $("ranking").querySelectorAll("tbody tr").forEach(function (tr) {
      tr.addEventListener("click", function () { select(tr.dataset.code, true); });
    });
  }
  function select(code, zoom) {
    state.selected = code;
    restyle();
    state.layer.eachLayer(function (l) {
      if (l.feature.properties.commune_code === code) {
        l.bringToFront(); if (zoom) { map.fitBounds(l.getBounds(), {maxZoom: 12}); }
      }
    });
    explain(code);
  }

  // ---- commune panel: drivers, rank interval, P(top k), hot spot, people (suppressed) ---------
  function explain(code) {
    api("/communes/" + encodeURIComponent(code) + "?" + q({profile: state.profile})).then(function (d) {
      if (code !== state.selected) { return; }
      var p = state.props[code] || d;
      $("detail").innerHTML = "<h3>" + esc(d.commune_name) + "</h3><div>" + esc(d.district_name || "")
        + "</div><p>" + esc(t("score")) + ": <b>" + num(p.score) + "</b> · " + esc(className(p))
        + " · " + esc(t("rank")) + " " + esc(p.rank) + "</p>" + uncertainty(d) + changeLine(code)
        + driverTable(d, p);
    }).catch(function (e) { $("detail").textContent = t("error") + ": " + e.message; });
  }
  function uncertainty(d) {
    var rows = [];
    if (d.rank_p05 != null) { rows.push([t("rank_interval"), d.rank_p05 + " – " + d.rank_p95]); }
    if (d.p_top_k != null) { rows.push([t("p_top_k", {k: d.top_k}), pct(d.p_top_k)]); }
    if (d.class_uncertain) { rows.push([t("uncertain"), "✓"]); }
    if (d.hotspot) { rows.push([t("hotspot"), state.lang === "vi" ? d.hotspot_label : d.hotspot_label_en]); }
    if (d.repatriations_total != null) { rows.push([t("repatriations"), d.repatriations_total]); }
    return '<table id="uncertainty"><tbody>' + rows.map(function (r) {
      return "<tr><td>" + esc(r[0]) + "</td><td>" + esc(r[1]) + "</td></tr>";
    }).join("") + "</tbody></table>";
  }
  function changeLine(code) {
    var c = state.changes && state.changes[code];
    if (!c) { return ""; }
    return '<p class="change-line">' + esc(t("change")) + ": <b>" + signed(c.score_change) + "</b> · "
      + esc(t("rank_change")) + ": " + signed(c.rank_change, 0) + "</p>";
  }
  function driverTable(d, p) {
    var w = normalised(), hidden = d.indicators.some(function (i) { return i.withheld; });
    // contributions add up to the score: share out the current score by weight × normalised
    // value; a withheld rate (a small count of people) is not shared out, so the rest stand as is
    var raw = d.indicators.map(function (i) { return i.withheld ? 0 : i.normalised * (w[i.indicator] || 0); });
    var total = raw.reduce(function (s, v) { return s + v; }, 0);
    var rows = d.indicators.map(function (i, k) {
      return {label: state.lang === "vi" ? i.label_vi : i.label_en, withheld: i.withheld,
        points: hidden ? raw[k] : (total > 0 ? p.score * raw[k] / total : 0)};
    }).sort(function (a, b) { return b.points - a.points; });
    var drivers = rows.filter(function (r) { return r.points > 0; }).slice(0, 3);
    return "<h2>" + esc(t("drivers")) + '</h2><ol id="drivers">'
      + drivers.map(function (r) { return "<li>" + esc(r.label) + "</li>"; }).join("") + '</ol><table id="points"><tbody>'
      + rows.map(function (r) {
        if (r.withheld) {
          return "<tr><td>" + esc(r.label) + '</td><td class="withheld">' + esc(t("withheld")) + "</td></tr>";
        }
        return "<tr><td>" + esc(r.label) + '</td><td><span class="bar" style="width:' + Math.round(p.score > 0 ? r.points / p.score * 120 : 0)
          + 'px"></span> ' + r.points.toFixed(1) + " " + esc(t("points")) + "</td></tr>";
      }).join("") + "</tbody></table>";
  }

  // ---- map layers from the API -----------------------------------------------------------------
  function features(name) {  // every page of a stored layer the caller may read
    var out = [];
    function page(url) {
      return api(url).then(function (body) {
        out = out.concat(body.features || []);
        var next = (body.links || []).filter(function (l) { return l.rel === "next"; })[0];
        return next && body.features && body.features.length ? page(next.href) : out;
      });
    }
    return page("/layers/" + name + "?limit=1000");
  }
  function loadLayers() {
    if (state.layersLoaded) { return; }
    state.layersLoaded = true;
    api("/layers").then(function (list) {
      var present = list.map(function (l) { return l.name; });
      Object.keys(SOURCES).forEach(function (group) {
        if (present.indexOf(SOURCES[group]) < 0) { return; }
        features(SOURCES[group]).then(function (fs) { DRAW[group](fs); }).catch(function (e) {
          status(t("layer_missing", {name: t("layer_" + group)}) + ": " + e.message, true);
        });
      });
    }).catch(function (e) { status(t("error") + ": " + e.message, true); });
  }
  function nameTip(p) { return "<b>" + esc(p.name) + "</b><br>" + esc(kindLabel(p.kind)); }
  var DRAW = {
    border: function (fs) {
      groups.border.addLayer(L.geoJSON(fs, {renderer: svg, interactive: false, style: function (f) {
        return Object.assign({className: "border-line"}, CFG.styles.border[f.properties.kind] || CFG.styles.border.land);
      }}));
    },
    crossings: function (fs) {
      groups.crossings.addLayer(L.geoJSON(fs, {pointToLayer: function (f, latlng) {
        var s = CFG.styles.crossings[f.properties.kind] || ["gray", "location-dot"];
        var icon = L.divIcon({className: "crossing-marker", iconSize: [24, 24], iconAnchor: [12, 12],
          html: '<span style="background:' + esc(s[0]) + '"><i class="fa-solid fa-' + esc(s[1]) + '"></i></span>'});
        return L.marker(latlng, {icon: icon, zIndexOffset: 500})
          .bindTooltip(function () { return nameTip(f.properties); });
      }}));
    },
    venues: function (fs) {
      L.geoJSON(fs, {pointToLayer: function (f, latlng) {
        var colour = CFG.styles.venues[f.properties.kind] || CFG.styles.venues.other;
        var m = L.circleMarker(latlng, {radius: 5, color: "#333", weight: 1, fillColor: colour, fillOpacity: 0.9});
        groups.venues.addLayer(m.bindTooltip(function () { return nameTip(f.properties); }));
        return m;
      }});
    },
    zones: function (fs) {
      groups.zones.addLayer(L.geoJSON(fs, {
        renderer: svg, style: Object.assign({className: "zone"}, CFG.styles.zones),
        pointToLayer: function (f, latlng) { return L.circleMarker(latlng, {radius: 7, renderer: svg}); },
        onEachFeature: function (f, layer) { layer.bindTooltip(function () { return "<b>" + esc(f.properties.name) + "</b>"; }); }
      }));
    }
  };
  function drawHotspots() {
    groups.hotspots.clearLayers();
    state.layer.eachLayer(function (l) {
      var p = state.props[l.feature.properties.commune_code], s = p && CFG.styles.hotspots[p.hotspot];
      if (!s) { return; }
      var outline = L.geoJSON(l.feature, {renderer: svg, interactive: false,
        style: Object.assign({className: "hotspot " + p.hotspot}, s)});
      groups.hotspots.addLayer(outline);
    });
  }

  // ---- plans: the current ones (plan routes, stored run) and those made on the page -----------
  function baseMarker(site, radiusKm, cls) {
    var icon = L.divIcon({className: cls, iconSize: [22, 22], iconAnchor: [11, 11],
      html: '<span><i class="fa-solid fa-shield-halved"></i></span>'});
    var marker = L.marker([site.lat, site.lon], {icon: icon, zIndexOffset: 1000});
    marker.bindTooltip(function () {
      return "<b>" + esc(t("base")) + ": " + esc(site.name) + "</b><br>" + esc(kindLabel(site.kind))
        + "<br>" + esc(t("covered")) + ": " + pct(site.added_share)
        + (site.frequency != null ? "<br>" + esc(t("frequency", {share: pct(site.frequency)})) : "");
    });
    var circle = L.circle([site.lat, site.lon], Object.assign({radius: radiusKm * 1000, renderer: svg,
      interactive: false, className: cls + "-coverage"}, CFG.styles.plan));
    return [circle, marker];
  }
  function drawPatrol(group, plan, cls) {
    plan.bases.forEach(function (site) {
      baseMarker(site, plan.parameters.radius_km, cls).forEach(function (l) { group.addLayer(l); });
    });
  }
  function drawOutreach(group, plan) {
    var chosen = {};
    plan.communes.forEach(function (c) { if (c.commune_code) { chosen[c.commune_code] = c; } });
    state.layer.eachLayer(function (l) {
      var c = chosen[l.feature.properties.commune_code];
      if (!c) { return; }
      group.addLayer(L.geoJSON(l.feature, {renderer: svg, style: {className: "outreach-commune",
        color: "#238b45", weight: 3, fillColor: "#41ab5d", fillOpacity: 0.25}}).bindTooltip(function () {
        return "<b>" + esc(c.name) + "</b><br>" + esc(t("covered")) + ": " + pct(c.added_share);
      }));
    });
  }
  function drawSegments(group, plan) {
    plan.segments.forEach(function (s) {
      var colour = s.score >= 66 ? "#7a0177" : s.score >= 33 ? "#c51b8a" : "#fa9fb5";
      group.addLayer(L.geoJSON(s.geometry, {renderer: svg, style: {className: "segment", color: colour,
        weight: 5, opacity: 0.8}}).bindTooltip(function () {
        return esc(t("segment", {segment: s.segment, score: num(s.score, 0), rank: s.rank}))
          + (s.crossing_names ? "<br>" + esc(s.crossing_names) : "");
      }));
    });
  }
  function loadStoredPlans() {
    var profile = state.profile, base = "?" + q({profile: profile});
    groups.plans.clearLayers();
    heavy(function () { return api("/plans/patrol" + base + "&draws=0"); }).then(function (plan) {
      if (profile === state.profile) { drawPatrol(groups.plans, plan, "current-base"); }
    }).catch(function (e) { status(t("error") + ": " + e.message, true); });
    heavy(function () { return api("/plans/segments" + base); }).then(function (plan) {
      if (profile === state.profile) { drawSegments(groups.plans, plan); }
    }).catch(function (e) { status(t("error") + ": " + e.message, true); });
  }
  function makePlan(kind, params) {
    status(t("planning"));
    var profile = state.profile;
    params.profile = profile;
    return heavy(function () { return api("/plans/" + kind + "?" + q(params)); }).then(function (plan) {
      if (profile !== state.profile) { return; }
      groups.page_plans.clearLayers();
      if (kind === "patrol") { drawPatrol(groups.page_plans, plan, "plan-base"); } else { drawOutreach(groups.page_plans, plan); }
      if (!map.hasLayer(groups.page_plans)) { groups.page_plans.addTo(map); }
      state.plan = plan; renderPlanFigures(plan);
      status(t("updated"));
    }).catch(function (e) { status(t("error") + ": " + e.message, true); });
  }
  function planNote(n) {  // a server note (English) in the page's words, its figures kept
    var m;
    if ((m = /^demand: rule "([^"]*)"/.exec(n))) { return t("note_demand", {rule: m[1]}); }
    if ((m = /^frequency: share of (\d+) weight draws/.exec(n))) { return t("note_frequency", {draws: m[1]}); }
    if ((m = /^greedy choice: guaranteed at least (\d+%)/.exec(n))) { return t("note_greedy", {bound: m[1]}); }
    if ((m = /^(\d+) of the (\d+) bases are exploration/.exec(n))) { return t("note_explore", {n: m[1], k: m[2]}); }
    return n;
  }
  function renderPlanFigures(plan) {
    var rows = [[t("covered"), pct(plan.covered_share)]];
    if (plan.kind === "patrol") {
      rows.unshift([t("bases"), plan.bases.length]);
      rows.push([t("covered_communes"), plan.covered_communes.length]);
      if (plan.baseline_covered_share != null) { rows.push([t("baseline", {k: plan.parameters.k}), pct(plan.baseline_covered_share)]); }
    } else {
      rows.unshift([t("chosen"), plan.communes.length]);
      rows.push([t("cost"), num(plan.cost) + " / " + num(plan.parameters.budget)]);
      if (plan.marginal_value != null) { rows.push([t("marginal", {unit: num(plan.marginal_unit)}), num(plan.marginal_value)]); }
    }
    if (plan.exact_covered_share != null) { rows.push([t("exact_share"), pct(plan.exact_covered_share)]); }
    if (plan.gap_to_exact != null) { rows.push([t("gap"), (plan.gap_to_exact * 100).toFixed(1) + " %"]); }
    $("plan-figures").innerHTML = "<h3>" + esc(t(plan.kind)) + '</h3><table><tbody>' + rows.map(function (r) {
      return "<tr><td>" + esc(r[0]) + "</td><td>" + esc(r[1]) + "</td></tr>";
    }).join("") + "</tbody></table>" + (plan.notes || []).map(function (n) {
      return '<p class="hint">' + esc(planNote(n)) + "</p>";
    }).join("");
  }

  // ---- runs and comparison ---------------------------------------------------------------------
  function loadRuns() {
    var sel = $("against");
    return api("/runs").then(function (runs) {
      sel.innerHTML = "";
      var none = document.createElement("option"); none.value = ""; none.textContent = t("no_compare");
      sel.appendChild(none);
      runs.filter(function (r) { return r.profile === state.profile && r.run_id !== state.run; })
        .reverse().forEach(function (r) {
          var o = document.createElement("option");
          o.value = r.run_id; o.textContent = runLabel(r) + " · " + String(r.created_at).slice(0, 16).replace("T", " ");
          sel.appendChild(o);
        });
      sel.value = state.against;
      if (sel.value !== state.against) { clearComparison(); }
    }).catch(function (e) { status(t("error") + ": " + e.message, true); });
  }
  function period(asOf) {  // "2023-12" → "12/2023", "2023-12-31" → "31/12/2023", "2023" stays
    return String(asOf).split("-").reverse().join("/");
  }
  function runLabel(r) {  // a stored run: its id, its as-of period when it has one, its profile
    if (!r || typeof r !== "object") { return String(r || "").slice(0, 8); }
    var parts = [String(r.run_id || "").slice(0, 8)];
    if (r.as_of) { parts.push(t("run_until", {period: period(r.as_of)})); }
    var p = state.profiles[r.profile];
    if (r.profile) { parts.push((p && p.title && p.title[state.lang]) || r.profile); }
    return parts.join(" · ");
  }
  function clearComparison() {
    state.against = ""; state.changes = null; state.comparison = null;
    $("compare").hidden = true; $("compare").innerHTML = "";
    if (state.layer) { restyle(); renderTable(); }
    renderLegend(); renderDownloads();
  }
  function compare(other) {
    if (!other) { clearComparison(); return; }
    var id = ++state.compareRequest;
    state.against = other; renderDownloads();
    status(t("comparing"));
    api("/runs/" + encodeURIComponent(state.run) + "/compare/" + encodeURIComponent(other)).then(function (body) {
      if (id !== state.compareRequest) { return; }
      showComparison(body); status(t("compare_title"));
    }).catch(function (e) {
      if (id !== state.compareRequest) { return; }
      state.changes = null; state.comparison = null; restyle(); renderTable(); renderLegend();
      var missing = e.status === 404 || e.status === 405;
      $("compare").hidden = false;
      $("compare").innerHTML = '<p class="compare-error">' + esc(missing ? t("compare_missing") : t("error"))
        + " (" + esc(e.message) + ")</p>";
      status(missing ? t("compare_missing") : t("error") + ": " + e.message, true);
    });
  }
  function rowsOf(body) {
    if (Array.isArray(body.communes)) { return body.communes; }
    if (Array.isArray(body.changes)) { return body.changes; }
    if (Array.isArray(body.rows)) { return body.rows; }
    if (body.features) { return body.features.map(function (f) { return f.properties; }); }
    return [];
  }
  function showComparison(body) {
    state.changes = {};
    rowsOf(body).forEach(function (c) { state.changes[c.commune_code] = c; });
    state.comparison = body;
    restyle(); renderTable(); renderLegend(); renderComparison(body);
    if (state.selected) { explain(state.selected); }
  }
  function entry(item) {  // a commune of a list: an object with its figures, or a bare code
    var c = typeof item === "object" && item ? item : {commune_code: item};
    var known = state.changes[c.commune_code] || {}, p = state.props[c.commune_code] || {};
    var name = c.commune_name || c.name || known.commune_name || p.commune_name || c.commune_code;
    var change = c.score_change != null ? c.score_change : known.score_change;
    var rank = c.rank_change != null ? c.rank_change : known.rank_change;
    return '<li data-code="' + esc(c.commune_code) + '">' + esc(name)
      + (change != null ? ' <span class="delta">' + signed(change) + "</span>" : "")
      + (rank != null ? ' <span class="hint">(' + esc(t("rank")) + " " + signed(rank, 0) + ")</span>" : "") + "</li>";
  }
  function list(id, key, items) {
    items = items || [];
    return "<h3>" + esc(t(key)) + '</h3><ol id="' + id + '">' + (items.length ? items.map(entry).join("")
      : '<li class="hint">' + esc(t("none")) + "</li>") + "</ol>";
  }
  function renderComparison(body) {
    var b = body;
    $("compare").hidden = false;
    $("compare").innerHTML = "<h2>" + esc(t("compare_title")) + '</h2><p class="hint">'
      + esc(runLabel(b.run || state.run)) + " ← " + esc(runLabel(b.against || state.against)) + "</p>"
      + list("risers", "risers", b.risers) + list("fallers", "fallers", b.fallers)
      + list("entering", "entering", b.entering || b.entering_top_k || b.entered)
      + list("leaving", "leaving", b.leaving || b.leaving_top_k || b.left);
    $("compare").querySelectorAll("li[data-code]").forEach(function (li) {
      li.addEventListener("click", function () { if (state.props[li.dataset.code]) { select(li.dataset.code, true); } });
    });
  }

  // ---- start -----------------------------------------------------------------------------------
  function setProfile(name) {
    state.profile = name; state.weights = Object.assign({}, state.profiles[name].weights);
    state.plan = null; $("plan-figures").innerHTML = ""; groups.page_plans.clearLayers();
    state.against = ""; clearComparison();
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
  $("against").addEventListener("change", function (e) { compare(e.target.value); });
  $("patrol-form").addEventListener("submit", function (e) {
    e.preventDefault();
    makePlan("patrol", {k: $("patrol-k").value, radius_km: $("patrol-radius").value, method: $("patrol-method").value});
  });
  $("outreach-form").addEventListener("submit", function (e) {
    e.preventDefault();
    makePlan("outreach", {budget: $("outreach-budget").value});
  });

  function start() {
    return api("/profiles").then(function (list) {
      $("profile").innerHTML = ""; state.profiles = {};
      list.forEach(function (p) {
        state.profiles[p.name] = p;
        var o = document.createElement("option"); o.value = p.name; $("profile").appendChild(o);
      });
      state.profile = state.profiles.patrol ? "patrol" : list[0].name;
      $("profile").value = state.profile;
      relabel(); loadLayers();
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
