/* movemap map runtime: layers, filters, popups and controls.
 *
 * Every string from the data is put on the page with textContent or as an
 * attribute value through the DOM, never through innerHTML, so text from
 * a report cannot become markup or script.  Data arrives as JSON from
 * layers/*.py; see layers/maps.py for the shape.
 */
(function (window, document, L) {
  'use strict';

  var MM = {ready: false};
  window.movemap = MM;
  var S = null;  // state of the (single) map on this page

  // ---------------------------------------------------------------- helpers
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }
  function add(parent, child) { parent.appendChild(child); return child; }
  // Text from the data, isolated for the Unicode bidi algorithm: an Arabic
  // or Hebrew name must not reorder the dates, counts and arrows beside it
  // (an outlet's 2021-01-28 read as 28-01-2021, a route drawn backwards).
  function iso(text) { return el('bdi', null, text === null || text === undefined ? '' : text); }
  // An element of our words (strings) and isolated data (nodes from iso()).
  function line(tag, cls, parts) {
    var e = el(tag, cls);
    parts.forEach(function (p) { e.appendChild(typeof p === 'string' ? document.createTextNode(p) : p); });
    return e;
  }
  function route(i) {
    var c = S.legs.cols;
    return [iso(dec(c.from_name, i) || '?'), ' \u2192 ', iso(dec(c.to_name, i) || '?')];
  }
  function dec(col, i) {
    var c = col.c[i];
    return c < 0 ? null : col.u[c];
  }
  function safeUrl(url) {
    if (typeof url !== 'string') { return null; }
    var u = url.trim();
    return /^https?:\/\/\S+$/i.test(u) ? u : null;
  }
  function fmtKm(km) {
    if (km === null || km === undefined || isNaN(km)) { return 'n/a'; }
    return Math.round(km).toLocaleString('en-GB') + ' km';
  }
  function svgLine(colour, dash, opacity) {
    var ns = 'http://www.w3.org/2000/svg';
    var svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('width', '34');
    svg.setAttribute('height', '10');
    svg.setAttribute('class', 'mm-swatch-line');
    var line = document.createElementNS(ns, 'line');
    line.setAttribute('x1', '1'); line.setAttribute('y1', '5');
    line.setAttribute('x2', '33'); line.setAttribute('y2', '5');
    line.setAttribute('stroke', colour);
    line.setAttribute('stroke-width', '3');
    if (dash) { line.setAttribute('stroke-dasharray', dash); }
    if (opacity !== undefined) { line.setAttribute('stroke-opacity', String(opacity)); }
    svg.appendChild(line);
    return svg;
  }
  function swatch(colour, cls) {
    var s = el('span', 'mm-swatch' + (cls ? ' ' + cls : ''));
    s.style.background = colour;
    return s;
  }
  function row(table, key, value) {
    if (value === null || value === undefined || value === '') { return; }
    var tr = add(table, el('tr'));
    add(tr, el('th', null, key));
    var td = add(tr, el('td'));
    td.appendChild(value instanceof window.Node ? value : iso(value));
  }
  function zoneName(key) {
    var z = S.zoneByKey[key];
    return z ? z.label : key;
  }

  // ------------------------------------------------------------ arrows
  // Direction arrowheads are drawn in screen pixels at the middle of the
  // visible part of each leg, so they stay the same size at every zoom
  // (a fixed size in km vanishes on the overview and swamps a zone map).
  function drawArrow(ctx, layer) {
    var parts = layer._parts, total = 0, k, j, a, b;
    for (k = 0; k < parts.length; k++) {
      for (j = 1; j < parts[k].length; j++) { total += parts[k][j].distanceTo(parts[k][j - 1]); }
    }
    if (total < 24) { return; }
    var half = total / 2, run = 0;
    for (k = 0; k < parts.length; k++) {
      for (j = 1; j < parts[k].length; j++) {
        a = parts[k][j - 1]; b = parts[k][j];
        var d = b.distanceTo(a);
        if (run + d >= half && d > 0) {
          var t = (half - run) / d, ux = (b.x - a.x) / d, uy = (b.y - a.y) / d;
          var size = 7 + (layer.options.weight || 3) * 1.5;
          var tx = a.x + (b.x - a.x) * t + ux * size / 2, ty = a.y + (b.y - a.y) * t + uy * size / 2;
          var bx = tx - ux * size, by = ty - uy * size, w = size * 0.55;
          ctx.setLineDash([]);
          ctx.beginPath();
          ctx.moveTo(tx, ty);
          ctx.lineTo(bx - uy * w, by + ux * w);
          ctx.lineTo(tx - ux * size * 0.7, ty - uy * size * 0.7);
          ctx.lineTo(bx + uy * w, by - ux * w);
          ctx.closePath();
          ctx.globalAlpha = layer.options.opacity;
          ctx.fillStyle = layer.options.color;
          ctx.fill();
          return;
        }
        run += d;
      }
    }
  }
  var ArrowCanvas = L.Canvas.extend({
    _updatePoly: function (layer, closed) {
      L.Canvas.prototype._updatePoly.call(this, layer, closed);
      if (!closed && this._drawing && layer.options.mmArrow && layer._parts.length) {
        drawArrow(this._ctx, layer);
      }
    }
  });

  // ------------------------------------------------------------ setup
  MM.setup = function (map, meta) {
    S = {
      map: map, meta: meta, zones: [], zoneByKey: {}, zoneOn: {}, statusOn: {}, categoryOn: {},
      from: meta.from || meta.date_min, to: meta.to || meta.date_max, legs: null, places: null, zoneLayers: {},
      bases: [], onRefresh: []
    };
    MM.state = S;
    map.getContainer().classList.add('movemap');
    map.createPane('mmBase').style.zIndex = 150;
    map.createPane('mmZones').style.zIndex = 250;
    map.createPane('mmLabels').style.zIndex = 640;
    S.baseRenderer = L.canvas({pane: 'mmBase'});
    S.zoneRenderer = L.canvas({pane: 'mmZones'});
    // Legs and places share one canvas so both stay clickable.
    // Small padding: every redraw rasterises the padded area, and dashed lines
    // are costly to rasterise (measured: 10k legs pan 1.6x faster than at 0.5).
    S.renderer = new ArrowCanvas({padding: 0.2, tolerance: 4});
    meta.zones.forEach(function (z) {
      S.zones.push(z);
      S.zoneByKey[z.key] = z;
      S.zoneOn[z.key] = true;
    });
    meta.statuses.forEach(function (s) { S.statusOn[s.key] = true; });
    meta.categories.forEach(function (c) { S.categoryOn[c.key] = true; });
    S.sources = meta.sources;
    // A popup is never taller than the map: a long note or many sources
    // scroll inside it, so its close button and sources stay on screen.
    map.on('popupopen', function (e) {
      var h = Math.max(150, map.getSize().y - POPUP_MARGIN);
      if (e.popup.options.maxHeight !== h) {
        e.popup.options.maxHeight = h;
        e.popup.update();
      }
      // Leaflet fixes the width before the scroll bar appears: widen by the
      // bar so no text is cut at the right edge.
      var node = e.popup._contentNode, bar = node ? node.offsetWidth - node.clientWidth : 0;
      if (bar > 0 && !node.mmWidened) {
        node.style.width = (parseFloat(node.style.width) + bar) + 'px';
        node.mmWidened = true;
        e.popup._updatePosition();
      }
    });
  };
  //: Pixels of the map's height a popup leaves free (its tip, the pan padding).
  var POPUP_MARGIN = 70;

  // ------------------------------------------------------------ base maps
  MM.addCountries = function (map, geojson, name) {
    // The world is drawn three times, shifted by 360 degrees either way, so
    // panning past the antimeridian (or zooming out) never shows blank land:
    // the same data, only the longitudes are offset when read.
    var copies = [0, -360, 360].map(function (shift) {
      return L.geoJSON(geojson, {
        pane: 'mmBase', renderer: S.baseRenderer, interactive: false,
        attribution: shift === 0 ?
          'Country outlines: Natural Earth 1:110m, 1:50m near the data' : undefined,
        coordsToLatLng: function (c) { return L.latLng(c[1], c[0] + shift); },
        filter: function (f) { return !/Point/.test((f.geometry || f).type); },
        style: function (f) {
          return f.properties.kind === 'border' ?
            {color: '#8c8c8c', weight: 0.8, fill: false} :
            {stroke: false, fillColor: '#f4f2ee', fillOpacity: 1};
        }
      });
    });
    var layer = L.featureGroup(copies);
    layer.addTo(map);
    map.getContainer().classList.add('mm-offline-base');
    S.bases.push({name: name, layer: layer, offline: true});
  };
  MM.addTiles = function (map, url, options, name) {
    var layer = L.tileLayer(url, options);
    S.bases.push({name: name, layer: layer, offline: false});
  };
  function setBase(i) {
    S.bases.forEach(function (b, j) {
      if (j === i) { b.layer.addTo(S.map); } else { S.map.removeLayer(b.layer); }
    });
    S.map.getContainer().classList.toggle('mm-offline-base', S.bases[i].offline);
  }

  // ------------------------------------------------------------ zones
  MM.addZones = function (map, zones) {
    zones.forEach(function (z) {
      var group = L.featureGroup();
      if (z.geometry) {
        L.geoJSON(z.geometry, {
          pane: 'mmZones', renderer: S.zoneRenderer, interactive: false,
          filter: function (f) { return !/Point/.test((f.geometry || f).type); },
          style: function () {
            return {
              color: z.colour, weight: z.focus ? 3 : 1.5, fillColor: z.colour,
              fillOpacity: S.meta.zone_opacity[z.focus ? 1 : 0], dashArray: z.approximate ? '6 4' : null
            };
          }
        }).addTo(group);
      }
      if (z.label_at) {
        var text = el('div', 'mm-zone-label-text', z.map_label);
        var icon = L.divIcon({className: 'mm-zone-label', html: text, iconSize: null});
        var label = L.marker(z.label_at, {icon: icon, pane: 'mmLabels', interactive: false, keyboard: false})
          .addTo(group);
      }
      S.zoneLayers[z.key] = {layer: group, zone: z, shown: false, label: label || null};
    });
  };

  // ------------------------------------------------------------ legs
  function legPopup(i) {
    var D = S.legs, c = D.cols;
    var box = el('div', 'mm-popup mm-leg-popup');
    var n = c.n_legs[i];
    add(box, line('div', 'mm-popup-title', [iso(dec(c.equipment, i))]));
    add(box, line('div', 'mm-popup-sub', [iso(dec(c.transfer_id, i)), ' \u00b7 leg ' + c.leg[i] + ' of ' + n]));
    var t = add(box, el('table', 'mm-popup-table'));
    row(t, 'Route', line('span', null, route(i)));
    if (c.stub && c.stub[i]) {
      row(t, 'Drawn as', 'a short stub at the known end: the ' +
        (dec(c.from_id, i) ? 'destination' : 'origin') + ' was not reported');
    }
    row(t, 'Quantity', dec(c.quantity, i));
    row(t, 'Category', dec(c.category, i));
    var dp = dec(c.date_precision, i);
    var words = (c.date_words && dec(c.date_words, i)) || dec(c.date, i);
    row(t, 'Date', line('span', null, [iso(words), ' (' + dec(c.date, i) + ', ' + dp + ' precision; on the map ' +
      dec(c.date_start, i) + ' \u2013 ' + dec(c.date_end, i) + ')']));
    if (c.date_as_reported) { row(t, 'Date as reported', dec(c.date_as_reported, i)); }
    row(t, 'Status', dec(c.status, i));
    var actor = add(el('span'), swatch(D.actor_colour[dec(c.colour_key, i)] || S.meta.other_colour)).parentNode;
    add(actor, iso(dec(c.actor, i) || ''));
    row(t, 'Actor', actor);
    if (groupOf(i) !== dec(c.actor, i)) { row(t, 'Actor group', groupOf(i)); }
    row(t, 'Mode', dec(c.mode, i));
    row(t, 'Carrier', dec(c.carrier, i));
    row(t, 'Carrier id', dec(c.carrier_id, i));
    row(t, 'Via', dec(c.via_names, i));
    row(t, 'Line', dec(c.line_method, i));
    var len = fmtKm(c.length_km[i]);
    if (c.uncertain[i]) { len += ' (uncertain: unknown stop, coarse point or alternatives)'; }
    row(t, 'Length', len);
    row(t, 'Alternatives', dec(c.candidate_km, i));
    row(t, 'Same carrier', carrierLegs(i));
    row(t, 'Origin on that date', factionText(dec(c.from_faction, i), dec(c.from_zone, i)));
    row(t, 'Destination on that date', factionText(dec(c.to_faction, i), dec(c.to_zone, i)));
    if (c.crosses_front[i]) { row(t, 'Front line', 'crosses it'); }
    row(t, 'Control note', dec(c.control_note, i));
    row(t, 'Note', dec(c.note, i));
    add(box, sourcesBlock((dec(c.source_ids, i) || '').split(';')));
    return box;
  }
  // The other legs flown or sailed by the same carrier (carrier_id), in order.
  function carrierLegs(i) {
    var c = S.legs.cols;
    if (!c.carrier_id || c.carrier_id.c[i] < 0 || dec(c.carrier_id, i) === '') { return null; }
    var code = c.carrier_id.c[i], ul = el('ul', 'mm-carrier-legs'), n = 0;
    for (var j = 0; j < S.legs.n; j++) {
      if (j === i || c.carrier_id.c[j] !== code) { continue; }
      add(ul, line('li', null, [dec(c.date, j) + ' '].concat(route(j),
        [' (', iso(dec(c.transfer_id, j)), ', leg ' + c.leg[j] + ')'])));
      n++;
    }
    return n ? ul : 'no other leg';
  }
  // Legs are coloured by actor group (actors.csv); without one, by actor.
  function groupOf(i) {
    var c = S.legs.cols;
    return (c.actor_group && dec(c.actor_group, i)) || dec(c.actor, i);
  }
  function factionText(faction, zone) {
    if (!faction) { return 'unknown'; }
    var z = zone && S.zoneByKey[zone];
    return z ? line('span', null, [iso(faction), ' (', iso(z.label), ')']) : faction;
  }
  function sourcesBlock(ids) {
    var wrap = el('div', 'mm-sources');
    add(wrap, el('div', 'mm-sources-title', 'Sources'));
    var ul = add(wrap, el('ul'));
    ids.forEach(function (id) {
      if (!id) { return; }
      var s = S.sources[id];
      var li = add(ul, el('li', 'mm-source'));
      if (!s) { add(li, iso(id)); return; }
      add(li, el('bdi', 'mm-source-outlet', s.outlet));
      add(li, document.createTextNode(', ' + (s.published || 'undated') + ': '));
      var url = safeUrl(s.url);
      var title = s.title || s.url || id;
      if (url) {
        var a = add(li, el('a', 'mm-source-link', title));
        a.dir = 'auto';  // isolated, like the other data text
        a.href = url;
        a.target = '_blank';
        a.rel = 'noopener noreferrer';
      } else {
        add(li, el('bdi', 'mm-source-title', title));
      }
      if (s.relays) { add(li, line('span', null, [' (relaying ', iso(s.relays), ')'])); }
    });
    return wrap;
  }
  function legTooltip(i) {
    var c = S.legs.cols;
    return line('span', 'mm-tooltip', [iso(dec(c.transfer_id, i)),
      ' leg ' + c.leg[i] + '/' + c.n_legs[i] + ': ', iso(dec(c.equipment, i)), ' \u00b7 '].concat(
      route(i), [' \u00b7 ' + dec(c.date, i) + ' \u00b7 ' + dec(c.status, i)]));
  }

  MM.addLegs = function (map, D) {
    S.legs = D;
    if (D.geom_c) {  // lines shared by several legs are sent once (big maps)
      D.geom = D.geom_c.map(function (k) { return k < 0 ? null : D.geom_u[k]; });
    }
    var c = D.cols, n = D.n;
    D.lines = new Array(n);
    D.numbers = new Array(n);
    D.shown = new Uint8Array(n);
    D.zoneSets = D.zones.u.map(function (s) {
      return s === '' ? [] : s.split(',').map(function (k) { return S.zones[+k].key; });
    });
    D.groups = {};
    S.meta.statuses.forEach(function (s) {
      var g = L.featureGroup();
      g.bindPopup(function (layer) { return legPopup(layer.options.mmIndex); },
        {maxWidth: 380, className: 'mm-leaflet-popup'});
      g.bindTooltip(function (layer) { return legTooltip(layer.options.mmIndex); },
        {sticky: true, className: 'mm-leaflet-tooltip'});
      D.groups[s.key] = g;
      g.addTo(map);
    });
    D.numberLayer = L.layerGroup().addTo(map);
    // A multi-leg route reads as one: opening a leg's popup thickens its siblings.
    D.byTransfer = {};
    for (var t = 0; t < n; t++) {
      (D.byTransfer[c.transfer_id.c[t]] = D.byTransfer[c.transfer_id.c[t]] || []).push(t);
    }
    function highlight(e, on) {
      var src = e.popup && e.popup._source;
      if (!src || src.options.mmIndex === undefined || !src.options.mmArrow) { return; }
      D.byTransfer[c.transfer_id.c[src.options.mmIndex]].forEach(function (j) {
        var line = D.lines[j];
        if (!line) { return; }
        if (on) { line.options.mmWeight = line.options.weight; }
        line.setStyle({weight: on ? line.options.mmWeight + 3 : line.options.mmWeight});
        if (on) { line.bringToFront(); }
      });
    }
    map.on('popupopen', function (e) { highlight(e, true); });
    map.on('popupclose', function (e) { highlight(e, false); });
    if (D.webgl && addGlLegs(map, D)) { return; }
    D.webgl = false;  // no WebGL in this browser: the canvas path draws every leg
    for (var i = 0; i < n; i++) {
      var parts = D.geom[i];
      if (!parts) { continue; }
      var status = dec(c.status, i);
      var st = S.meta.status_style[status] || {};
      var colour = D.actor_colour[dec(c.colour_key, i)] || S.meta.other_colour;
      var uncertain = c.uncertain[i];
      var latlngs = parts.map(function (flat) {
        var out = new Array(flat.length / 2);
        for (var k = 0; k < flat.length; k += 2) { out[k / 2] = [flat[k], flat[k + 1]]; }
        return out;
      });
      D.lines[i] = L.polyline(latlngs.length === 1 ? latlngs[0] : latlngs, {
        renderer: S.renderer, color: colour, weight: st.weight || 3,
        dashArray: st.dashArray || null, opacity: uncertain ? S.meta.uncertain_opacity : 0.9,
        lineCap: 'butt', mmIndex: i, mmArrow: true
      });
      var mid = D.mid[i];
      if (mid && D.show_numbers) {
        var num = el('span', 'mm-legno-text', String(c.leg[i] | 0));
        num.style.borderColor = colour;
        D.numbers[i] = L.marker(mid, {
          icon: L.divIcon({className: 'mm-legno', html: num, iconSize: [18, 18]}),
          interactive: false, keyboard: false, pane: 'mmLabels'
        });
      }
    }
  };

  // Big maps: every leg in one WebGL layer (movemap_webgl.js); a click
  // picks the nearest shown leg and opens the same popup as the canvas path.
  function addGlLegs(map, D) {
    var why = window.movemapWebgl.unsupported();
    if (why) {
      window.console.warn('movemap: ' + why + '; legs are drawn on a canvas instead');
      return false;
    }
    map.createPane('mmGlLegs').style.zIndex = 350;  // under places (overlayPane, 400)
    D.gl = window.movemapWebgl.create(map, D, S.meta, 'mmGlLegs');
    D.lines = null;
    map.on('click', function (e) {
      var i = D.gl.layer.pick(e.containerPoint, 5);
      if (i < 0) { return; }
      var legs = D.byTransfer[D.cols.transfer_id.c[i]];
      var popup = L.popup({maxWidth: 380, className: 'mm-leaflet-popup'})
        .setLatLng(e.latlng).setContent(legPopup(i));
      popup.mmLegs = legs;
      popup.openOn(map);
    });
    map.on('popupopen', function (e) {
      if (e.popup.mmLegs) { D.gl.highlight(e.popup.mmLegs, true); }
    });
    map.on('popupclose', function (e) {
      if (e.popup.mmLegs) { D.gl.highlight(e.popup.mmLegs, false); }
    });
    return true;
  }

  // ------------------------------------------------------------ places
  function placePopup(j) {
    var P = S.places, p = P.items[j];
    var box = el('div', 'mm-popup mm-place-popup');
    add(box, line('div', 'mm-popup-title', [iso(p.name)]));
    var t = add(box, el('table', 'mm-popup-table'));
    row(t, 'Kind', p.kind);
    row(t, 'Country', p.country);
    row(t, 'Precision', p.precision);
    row(t, 'Coordinates', line('span', null, [p.lat.toFixed(3) + ', ' + p.lon.toFixed(3)].concat(
      p.coord_source ? [' (', iso(p.coord_source), ')'] : [])));
    row(t, 'Note', p.note);
    var D = S.legs, c = D.cols;
    add(box, el('div', 'mm-sources-title', 'Legs here (' + p.legs.length + ')'));
    var ul = add(box, el('ul', 'mm-place-legs'));
    var ids = {};
    p.legs.forEach(function (i, k) {
      (dec(c.source_ids, i) || '').split(';').forEach(function (s) { if (s) { ids[s] = true; } });
      if (k >= 12) { return; }
      var out = p.ends[k] === 0;
      var faction = out ? dec(c.from_faction, i) : dec(c.to_faction, i);
      add(ul, line('li', null, [iso(dec(c.transfer_id, i)), ' leg ' + c.leg[i] + ', ' + dec(c.date, i) +
        ': ', iso(dec(c.equipment, i)), ' (' + (out ? 'departs' : 'arrives') + '; faction then: ',
        iso(faction || 'unknown'), ')']));
    });
    if (p.legs.length > 12) { add(ul, el('li', null, '\u2026 and ' + (p.legs.length - 12) + ' more')); }
    add(box, sourcesBlock(Object.keys(ids).sort()));
    return box;
  }
  MM.addPlaces = function (map, P) {
    S.places = P;
    P.group = L.featureGroup();
    P.group.bindPopup(function (layer) { return placePopup(layer.options.mmPlace); },
      {maxWidth: 380, className: 'mm-leaflet-popup'});
    // Permanent labels for the busiest places, P.labels of them (true: all);
    // the others name themselves on hover.  Busiest places keep their labels
    // when labels collide.  Under a cap only named places get one: a big
    // ledger's unnamed stops ("transit airfield") would fill the map.
    var capped = P.labels !== true;
    var order = P.items.map(function (p, j) { return j; }).filter(function (j) {
      return !capped || !P.items[j].unknown;
    }).sort(function (a, b) {
      return P.items[b].legs.length - P.items[a].legs.length || a - b;
    });
    P.priority = order.slice(0, P.labels === true ? order.length : (+P.labels || 0));
    P.labelled = new Uint8Array(P.items.length);
    P.priority.forEach(function (j) { P.labelled[j] = 1; });
    P.markers = P.items.map(function (p, j) {
      var style = S.meta.place_style[p.unknown ? 'unknown' : p.precision] || {};
      var m = L.circleMarker([p.lat, p.lon], {
        renderer: S.renderer, radius: style.radius || 5, color: style.color || '#222',
        weight: style.weight || 1.5, fillColor: style.fill || '#222',
        fillOpacity: style.fill_opacity === undefined ? 1 : style.fill_opacity,
        dashArray: style.dash || null, mmPlace: j
      });
      nameTip(m, j);
      return m;
    });
    // A copy is labelled like its place: on a map framed across the
    // antimeridian it is the copy, not the place's marker, that is in view.
    P.copies = P.items.map(function (p, j) {
      return worldShifts(j).map(function (dlon) {
        var m = P.markers[j];
        return nameTip(L.circleMarker([p.lat, p.lon + dlon], L.extend({}, m.options)), j);
      });
    });
    P.shown = new Uint8Array(P.items.length);
    P.group.addTo(map);
  };
  // Place j's name on marker m: a permanent label for the busiest places,
  // a hover tooltip for the others.
  function nameTip(m, j) {
    var P = S.places, name = P.items[j].name;
    if (P.labelled[j]) {
      m.bindTooltip(line('span', 'mm-place-label-text', [iso(name)]),
        {permanent: true, direction: 'right', offset: [6, 0], className: 'mm-place-label',
         interactive: false, pane: 'mmLabels'});
    } else {
      m.bindTooltip(line('span', 'mm-tooltip', [iso(name)]), {className: 'mm-leaflet-tooltip'});
    }
    return m;
  }
  // A leg across the antimeridian is drawn with continuous longitudes
  // (Anadyr 177.7 -> Nome 194.6), so its far end lies a world (360 degrees)
  // away from the place's marker.  The shifts at which place j's legs meet
  // it, so a copy of the marker is drawn there too.
  function worldShifts(j) {
    var P = S.places, D = S.legs, p = P.items[j], seen = {}, out = [];
    p.legs.forEach(function (i, k) {
      var parts = D.geom && D.geom[i];
      if (!parts || !parts.length) { return; }
      var end = p.ends[k] === 0 ? parts[0] : parts[parts.length - 1];
      var lon = p.ends[k] === 0 ? end[1] : end[end.length - 1];
      var shift = Math.round((lon - p.lon) / 360) * 360;
      if (shift !== 0 && !seen[shift]) { seen[shift] = true; out.push(shift); }
    });
    return out;
  }
  // Greedy label placement in screen pixels: leg numbers first (each
  // nudged off the others), then place names by how many legs they carry
  // (tried right, left, above, below the marker; hidden if all collide),
  // then zone names.  Every placed box is an obstacle for the next.
  function hits(r, taken) {
    for (var k = 0; k < taken.length; k++) {
      var t = taken[k];
      if (r.left < t.right && r.right > t.left && r.top < t.bottom && r.bottom > t.top) { return true; }
    }
    return false;
  }
  function moved(r, dx, dy) {
    return {left: r.left + dx, right: r.right + dx, top: r.top + dy, bottom: r.bottom + dy};
  }
  function place(node, taken, candidates) {
    node.style.visibility = '';
    node.style.marginLeft = '0px';
    node.style.marginTop = '0px';
    var r = node.getBoundingClientRect();
    for (var k = 0; k < candidates.length; k++) {
      var c = candidates[k](r), box = moved(r, c[0], c[1]);
      if (!hits(box, taken)) {
        node.style.marginLeft = c[0] + 'px';
        node.style.marginTop = c[1] + 'px';
        taken.push(box);
        return true;
      }
    }
    node.style.visibility = 'hidden';
    return false;
  }
  var BADGE_STEPS = [[0, 0], [0, -20], [20, 0], [0, 20], [-20, 0], [20, -20], [-20, 20],
    [20, 20], [-20, -20], [0, -40], [40, 0], [0, 40], [-40, 0]];
  var LABEL_SIDES = [
    function () { return [0, 0]; },                                   // right (Leaflet's place)
    function (r) { return [-(r.right - r.left) - 16, 0]; },            // left
    function (r) { return [-(r.right - r.left) / 2 - 8, -(r.bottom - r.top) / 2 - 8]; },  // above
    function (r) { return [-(r.right - r.left) / 2 - 8, (r.bottom - r.top) / 2 + 8]; }   // below
  ];
  function declutter() {
    var taken = [], D = S.legs, P = S.places;
    if (!S.map) { return; }

    if (D && D.numbers) {
      BADGE_STEPS.fns = BADGE_STEPS.fns || BADGE_STEPS.map(function (d) { return function () { return d; }; });
      for (var i = 0; i < D.n; i++) {
        var m = D.numbers[i];
        if (!m || !D.shown[i] || !S.map.hasLayer(m)) { continue; }
        var node = m.getElement && m.getElement();
        if (node && node.firstChild) { place(node.firstChild, taken, BADGE_STEPS.fns); }
      }
    }
    // Panels are obstacles for names (not for leg numbers, which mark lines).
    Array.prototype.forEach.call(
      S.map.getContainer().querySelectorAll('.leaflet-control'), function (e) {
        var r = e.getBoundingClientRect();
        if (r.width > 0) { taken.push({left: r.left, right: r.right, top: r.top, bottom: r.bottom}); }
      });
    if (P && P.priority) {
      P.priority.forEach(function (j) {
        if (!P.shown[j]) { return; }
        [P.markers[j]].concat(P.copies[j]).forEach(function (m) {
          var tip = m.getTooltip();
          var node = tip && tip.getElement && tip.getElement();
          // The marker itself is an obstacle too.
          if (node) { place(node, taken, LABEL_SIDES); }
        });
      });
    }
    Object.keys(S.zoneLayers).forEach(function (key) {
      var zl = S.zoneLayers[key];
      if (!zl.shown || !zl.label) { return; }
      var node = zl.label.getElement && zl.label.getElement();
      if (node && node.firstChild) { place(node.firstChild, taken, [LABEL_SIDES[0]]); }
    });
  }
  MM.declutter = declutter;
  // Labels are placed once the frame's layers are all in (zone labels, tooltips
  // and markers are added by several handlers of one refresh or view change):
  // on the next animation frame, once however many events asked for it.
  // Once more when things have settled (a zoom animation's last frame, late
  // layout): placement is cheap, and a stale one leaves labels on each other.
  function scheduleDeclutter() {
    window.clearTimeout(S.declutterLate);
    S.declutterLate = window.setTimeout(declutter, 300);
    if (S.declutterPending) { return; }
    S.declutterPending = true;
    window.requestAnimationFrame(function () {
      S.declutterPending = false;
      declutter();
    });
  }

  // ------------------------------------------------------------ filtering
  function anyOn(keys) {
    for (var k = 0; k < keys.length; k++) { if (S.zoneOn[keys[k]]) { return true; } }
    return false;
  }
  // Zones are a snapshot: those in force on the time filter's end date.
  function validAt(z, day) {
    return (!z.valid_from || z.valid_from <= day) && (!z.valid_to || z.valid_to >= day);
  }
  MM.refresh = function () {
    var D = S.legs, c = D.cols, from = S.from || '0000-00-00', to = S.to || '9999-99-99';
    var zoneU = D.zoneSets.map(anyOn);
    var statusU = c.status.u.map(function (s) { return !!S.statusOn[s]; });
    // A leg listing several categories ('artillery;armour') shows if any is on.
    var catU = c.category.u.map(function (s) {
      return s.split(';').some(function (k) { return !!S.categoryOn[k.trim()]; });
    });
    var legPasses = new Uint8Array(D.n);  // all filters but zones (for places)
    var nShown = 0;
    for (var i = 0; i < D.n; i++) {
      var ok = statusU[c.status.c[i]] && catU[c.category.c[i]] &&
        dec(c.date_start, i) <= to && dec(c.date_end, i) >= from;
      legPasses[i] = ok ? 1 : 0;
      var vis = ok && zoneU[D.zones.c[i]] && (D.gl ? D.geom[i] : D.lines[i]) ? 1 : 0;
      if (vis) { nShown++; }
      if (vis === D.shown[i] || D.gl) { D.shown[i] = vis; continue; }
      D.shown[i] = vis;
      var g = D.groups[dec(c.status, i)];
      if (vis) {
        g.addLayer(D.lines[i]);
        if (D.numbers[i]) { D.numberLayer.addLayer(D.numbers[i]); }
      } else {
        g.removeLayer(D.lines[i]);
        if (D.numbers[i]) { D.numberLayer.removeLayer(D.numbers[i]); }
      }
    }
    D.nShown = nShown;
    if (D.gl) { D.gl.setShown(D.shown); }
    var P = S.places;
    if (P) {
      P.items.forEach(function (p, j) {
        var vis = anyOn(p.zones) && p.legs.some(function (i) { return legPasses[i]; }) ? 1 : 0;
        if (vis === P.shown[j]) { return; }
        P.shown[j] = vis;
        [P.markers[j]].concat(P.copies[j]).forEach(function (m) {
          if (vis) { P.group.addLayer(m); } else { P.group.removeLayer(m); }
        });
      });
    }
    Object.keys(S.zoneLayers).forEach(function (key) {
      var zl = S.zoneLayers[key];
      var vis = S.zoneOn[key] && validAt(zl.zone, to);
      if (vis && !zl.shown) { zl.layer.addTo(S.map); }
      if (!vis && zl.shown) { S.map.removeLayer(zl.layer); }
      zl.shown = !!vis;
    });
    S.onRefresh.forEach(function (f) { f(); });
  };

  // Room the panels take on each side, so the data is fitted beside them.
  function fitPadding(map) {
    var c = map.getContainer().getBoundingClientRect();
    var left = 10, right = 10, top = 10;
    Array.prototype.forEach.call(map.getContainer().querySelectorAll('.mm-control'), function (e) {
      var r = e.getBoundingClientRect();
      if (r.width === 0) { return; }
      if (r.left - c.left < c.width / 2) { left = Math.max(left, r.right - c.left); }
      else { right = Math.max(right, c.right - r.left); }
    });
    // Panels wider than half the map (a phone) do not shrink the view to nothing.
    if (left + right > c.width * 0.7) { left = right = 10; top = 60; }
    return {paddingTopLeft: [left + 10, top + 10], paddingBottomRight: [right + 10, 30], maxZoom: 9};
  }

  // ------------------------------------------------------------ controls
  var Box = L.Control.extend({
    initialize: function (build, options) { this._build = build; L.setOptions(this, options); },
    onAdd: function () {
      var div = el('div', 'mm-control ' + (this.options.className || ''));
      L.DomEvent.disableClickPropagation(div);
      L.DomEvent.disableScrollPropagation(div);
      this._build(div);
      var top = div.firstElementChild;
      if (top && top.tagName === 'DETAILS') {
        var sync = function () { div.classList.toggle('mm-closed', !top.open); };
        sync();
        top.addEventListener('toggle', sync);
      }
      return div;
    }
  });

  function checkboxList(parent, group, items, state) {
    var inputs = [];
    var bar = add(parent, el('div', 'mm-allnone'));
    var all = add(bar, el('button', 'mm-link', 'all'));
    add(bar, document.createTextNode(' / '));
    var none = add(bar, el('button', 'mm-link', 'none'));
    items.forEach(function (it) {
      var label = add(parent, el('label', 'mm-check'));
      var input = add(label, el('input'));
      input.type = 'checkbox';
      input.checked = !!state[it.key];
      input.setAttribute('data-group', group);
      input.setAttribute('data-key', it.key);
      if (it.swatch) { add(label, it.swatch); }
      add(label, line('span', 'mm-check-text', it.parts || [iso(it.text)]));
      if (it.detail) { add(label, el('span', 'mm-check-detail', it.detail)); }
      label.title = it.detail ? it.text + ' \u2014 ' + it.detail : it.text;
      if (it.zone) {
        S.onRefresh.push(function () {
          label.classList.toggle('mm-inactive', !!it.zone.faction && !validAt(it.zone, S.to || '9999'));
        });
      }
      L.DomEvent.on(input, 'change', function () { state[it.key] = input.checked; MM.refresh(); });
      inputs.push(input);
    });
    function setAll(v) {
      inputs.forEach(function (inp) { inp.checked = v; state[inp.getAttribute('data-key')] = v; });
      MM.refresh();
    }
    L.DomEvent.on(all, 'click', function () { setAll(true); });
    L.DomEvent.on(none, 'click', function () { setAll(false); });
  }
  function section(parent, title, open) {
    var d = add(parent, el('details', 'mm-section'));
    d.open = open;
    add(d, el('summary', null, title));
    return d;
  }

  function buildLayerControl(outer) {
    outer.setAttribute('aria-label', 'Layers');
    var div = section(outer, 'Layers', !S.compact);
    div.className += ' mm-panel';
    var bases = section(div, 'Base map', true);
    S.bases.forEach(function (b, i) {
      var label = add(bases, el('label', 'mm-check'));
      var input = add(label, el('input'));
      input.type = 'radio';
      input.name = 'mm-base';
      input.checked = i === 0;
      input.setAttribute('data-group', 'base');
      add(label, el('span', 'mm-check-text', b.name));
      L.DomEvent.on(input, 'change', function () { if (input.checked) { setBase(i); } });
    });
    var zs = section(div, 'Zones of control', true);
    add(zs, el('div', 'mm-note', 'Polygons: zones in force on the \u2018to\u2019 date; ' +
      'unticking a zone also hides its places and the legs touching only unticked zones.'));
    var groups = [], byGroup = {};
    S.zones.forEach(function (z) {
      if (!byGroup[z.group]) { byGroup[z.group] = []; groups.push(z.group); }
      byGroup[z.group].push(z);
    });
    groups.forEach(function (g) {
      var sub = section(zs, g, groups.length <= 3 || byGroup[g].some(function (z) { return z.focus; }));
      sub.className += ' mm-subsection';
      checkboxList(sub, 'zone', byGroup[g].map(function (z) {
        return {key: z.key, text: z.label, detail: z.detail, zone: z,
                swatch: swatch(z.colour, 'mm-swatch-zone')};
      }), S.zoneOn);
    });
    var st = section(div, 'Status', true);
    checkboxList(st, 'status', S.meta.statuses.map(function (s) {
      var style = S.meta.status_style[s.key] || {};
      return {key: s.key, text: s.key + ' (' + s.n + ')', parts: [iso(s.key), ' (' + s.n + ')'],
              swatch: svgLine('#333', style.dashArray)};
    }), S.statusOn);
    var eq = section(div, 'Equipment', false);
    checkboxList(eq, 'category', S.meta.categories.map(function (s) {
      return {key: s.key, text: s.label + ' (' + s.n + ')', parts: [iso(s.label), ' (' + s.n + ')']};
    }), S.categoryOn);
  }

  function buildTitle(div) {
    var m = S.meta;
    add(div, line('div', 'mm-title', [iso(m.title)]));
    if (m.subtitle) { add(div, line('div', 'mm-subtitle', [iso(m.subtitle)])); }
    if (m.selection) { add(div, line('div', 'mm-selection', ['Selected legs \u2014 ', iso(m.selection)])); }
    var asof = add(div, el('div', 'mm-asof', m.as_of_text));
    asof.setAttribute('data-as-of', m.as_of || '');
    var count = add(div, el('div', 'mm-count'));
    S.onRefresh.push(function () {
      var D = S.legs;
      count.textContent = !D.n ? 'No movements on this map' : D.nShown + ' of ' + D.n + ' legs shown' +
        (m.n_stubs ? '; ' + m.n_stubs + ' drawn as short stubs (one end not reported)' : '') +
        (m.n_undrawn ? ' (' + m.n_undrawn + ' cannot be drawn: no locatable end)' : '');
    });
    var D = S.legs, c = D.cols;
    if (m.n_undrawn && m.n_undrawn <= 50) {
      var box = add(div, el('details', 'mm-undrawn'));
      add(box, el('summary', null, 'Legs not drawn'));
      var ul = add(box, el('ul'));
      for (var i = 0; i < D.n; i++) {
        if (D.geom[i]) { continue; }
        add(ul, line('li', null, [iso(dec(c.transfer_id, i)), ' leg ' + c.leg[i] + ': '].concat(route(i),
          [', ' + dec(c.date, i) + ', ', iso(dec(c.equipment, i)), ' (' + dec(c.status, i) + ')'])));
      }
    }
  }

  function buildLegend(div) {
    var m = S.meta, D = S.legs;
    var body = section(div, 'Legend', !S.compact);
    body.className += ' mm-panel';
    add(body, el('div', 'mm-legend-head', 'Colour = ' + (m.colour_by || 'actor')));
    var others = [];
    m.actors.forEach(function (a) {
      if (a.colour === m.other_colour) { others.push(a); return; }
      var r = add(body, el('div', 'mm-legend-row'));
      add(r, swatch(a.colour));
      add(r, line('span', null, [iso(a.name), ' (' + a.n + ')']));
    });
    if (others.length) {
      var ro = add(body, el('div', 'mm-legend-row'));
      add(ro, swatch(m.other_colour));
      add(ro, el('span', null, others.length + (others.length === 1 ? ' other actor group' : ' other actor groups')));
      // U+2068/U+2069 isolate each name in the tooltip as <bdi> does on the page.
      ro.title = others.map(function (a) { return '\u2068' + a.name + '\u2069 (' + a.n + ')'; }).join('; ');
      var parts = [];
      others.forEach(function (a, k) { parts.push(k ? '; ' : '', iso(a.name), ' (' + a.n + ')'); });
      add(body, line('div', 'mm-legend-note mm-legend-others', parts));
    }
    add(body, el('div', 'mm-legend-head', 'Line = status'));
    m.statuses.forEach(function (s) {
      var r = add(body, el('div', 'mm-legend-row'));
      var style = m.status_style[s.key] || {};
      add(r, svgLine('#333', style.dashArray));
      add(r, el('span', null, style.label || s.key));
    });
    var r2 = add(body, el('div', 'mm-legend-row'));
    add(r2, svgLine('#333', null, m.uncertain_opacity));
    add(r2, el('span', null, 'faded: unknown stop or coarse point'));
    if (m.n_stubs) {
      var r3 = add(body, el('div', 'mm-legend-row'));
      add(r3, svgLine('#333', '2 6', m.uncertain_opacity));
      add(r3, el('span', null, 'short stub: the other end was not reported'));
    }
    add(body, el('div', 'mm-legend-note', D && D.webgl ?
      'Drawn with WebGL (a big map): direction and leg numbers are in each leg\u2019s popup; ' +
      'a clicked leg and the rest of its route are drawn thicker.' :
      'Arrowheads show direction; numbers mark the legs of a multi-leg route' +
      (D && !D.show_numbers ? ' (in popups only at this size)' : '') + '.'));
    add(body, el('div', 'mm-legend-head', 'Places'));
    [['site', 'site or city (exact)'], ['region', 'region (approximate)'],
     ['country', 'country (centroid only)'], ['unknown', 'unknown stop (unnamed)']].forEach(function (p) {
      var st = m.place_style[p[0]];
      var r = add(body, el('div', 'mm-legend-row'));
      var dot = add(r, el('span', 'mm-dot'));
      dot.style.background = st.fill;
      dot.style.borderColor = st.color;
      if (st.dash) { dot.style.borderStyle = 'dashed'; }
      add(r, el('span', null, p[1]));
    });
    add(body, el('div', 'mm-legend-note',
      'Zones: fill colour = faction (swatches under Layers); dashed edge = approximate boundary.'));
  }

  // ISO 8601 calendar dates only (the browser's date input shows the
  // locale's MM/DD/YYYY; everything else on the page is ISO).
  function isoDay(text) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(text).trim());
    if (!m) { return null; }
    var d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
    return d.getUTCFullYear() === +m[1] && d.getUTCMonth() === +m[2] - 1 &&
      d.getUTCDate() === +m[3] ? m[0] : null;
  }
  function dayNum(iso) { return Date.parse(iso + 'T00:00:00Z') / 86400000; }
  function numDay(n) { return new Date(Math.round(n) * 86400000).toISOString().slice(0, 10); }

  // A map with no legs (a zone nothing moved through): say so in place of
  // date boxes and a play button that have nothing to act on.
  function buildNoMovements(div) {
    var focus = S.zones.filter(function (z) { return z.focus; })[0];
    var body = section(div, 'No movements', true);
    body.className += ' mm-panel mm-no-legs';
    add(body, focus
      ? line('div', 'mm-note', ['No leg in the ledger starts, ends or passes through ', iso(focus.label),
        ', so there are no dates to filter or play back.'])
      : el('div', 'mm-note', 'No legs on this map, so there are no dates to filter or play back.'));
  }

  function buildTimeFilter(div) {
    if (!S.legs.n) { buildNoMovements(div); return; }
    var body = section(div, 'Dates and playback', !S.compact);
    body.className += ' mm-panel';
    add(body, el('div', 'mm-note', 'Legs whose date range overlaps; zones in force on \u2018to\u2019. ' +
      'Dates as YYYY-MM-DD.'));
    var wrap = add(body, el('div', 'mm-dates'));
    function input(label, value, cls) {
      var l = add(wrap, el('label', null, label + ' '));
      var i = add(l, el('input', cls));
      i.type = 'text';
      i.setAttribute('inputmode', 'numeric');
      i.setAttribute('pattern', '\\d{4}-\\d{2}-\\d{2}');
      i.setAttribute('placeholder', 'YYYY-MM-DD');
      i.setAttribute('aria-label', label + ' date, YYYY-MM-DD');
      i.size = 10;
      i.maxLength = 10;
      i.value = value || '';
      return i;
    }
    var from = input('from', S.from, 'mm-date-from');
    var to = input('to', S.to, 'mm-date-to');
    var reset = add(wrap, el('button', 'mm-link', 'reset'));
    var msg = add(body, el('div', 'mm-date-error'));
    msg.setAttribute('role', 'alert');
    function apply() {
      var f = from.value.trim() === '' ? S.meta.date_min : isoDay(from.value);
      var t = to.value.trim() === '' ? S.meta.date_max : isoDay(to.value);
      from.classList.toggle('mm-invalid', !f);
      to.classList.toggle('mm-invalid', !t);
      if (!f || !t) {
        msg.textContent = 'Not a date: ' + (!f ? from.value : to.value) +
          ' \u2014 write YYYY-MM-DD, e.g. ' + (S.meta.date_max || '2020-05-18');
        return;
      }
      if (f > t) { msg.textContent = '\u2018from\u2019 is after \u2018to\u2019: swap them.'; return; }
      msg.textContent = '';
      stop();
      S.play.k = 0;
      S.from = f;
      S.to = t;
      MM.refresh();
    }
    S.onRefresh.push(function () {
      if (document.activeElement !== from) { from.value = S.from || ''; }
      if (document.activeElement !== to) { to.value = S.to || ''; }
    });
    L.DomEvent.on(from, 'change', apply);
    L.DomEvent.on(to, 'change', apply);
    L.DomEvent.on(reset, 'click', function () {
      from.value = S.meta.from || S.meta.date_min || '';
      to.value = S.meta.to || S.meta.date_max || '';
      apply();
    });

    // Playback: step the 'to' date from the start of the chosen range to
    // its end; cumulative keeps 'from', a sliding window moves it along.
    var play = add(body, el('div', 'mm-play'));
    var btn = add(play, el('button', 'mm-play-button', '\u25b6 play'));
    btn.type = 'button';
    btn.disabled = !S.meta.date_min;  // no dated leg on this map: nothing to play
    function select(cls, label, options, value) {
      var s = add(play, el('select', cls));
      s.setAttribute('aria-label', label);
      options.forEach(function (o) {
        var opt = add(s, el('option', null, o[1]));
        opt.value = o[0];
      });
      s.value = value;
      return s;
    }
    var mode = select('mm-play-mode', 'playback mode',
      [['cumulative', 'cumulative'], ['30', '30-day window'], ['90', '90-day window'],
       ['365', '1-year window']], 'cumulative');
    var speed = select('mm-play-speed', 'playback speed',
      [['0.5', '0.5\u00d7'], ['1', '1\u00d7'], ['2', '2\u00d7'], ['4', '4\u00d7']], '1');
    var now = add(body, el('div', 'mm-play-now'));
    var P = {timer: null, steps: 120, k: 0};
    S.play = P;
    function frame() {
      var t = P.t0 + (P.t1 - P.t0) * P.k / P.steps;
      S.to = numDay(t);
      S.from = mode.value === 'cumulative' ? P.from : numDay(Math.max(P.t0, t - (+mode.value)));
      now.textContent = 'Showing ' + S.from + ' \u2013 ' + S.to;
      MM.refresh();
      P.k += 1;
      if (P.k > P.steps) { stop(); }
    }
    function stop() {
      if (P.timer !== null) { window.clearInterval(P.timer); P.timer = null; }
      btn.textContent = '\u25b6 play';
      btn.classList.remove('mm-playing');
    }
    function start() {
      if (P.k === 0 || P.k > P.steps) {
        // A new run over the range set in the date boxes (a pause keeps it).
        P.from = S.from || S.meta.date_min;
        P.to = S.to || S.meta.date_max;
        P.t0 = dayNum(P.from);
        P.t1 = dayNum(P.to);
        P.k = 0;
      }
      btn.textContent = '\u275a\u275a pause';
      btn.classList.add('mm-playing');
      frame();
      P.timer = window.setInterval(frame, 150 / (+speed.value));
    }
    L.DomEvent.on(btn, 'click', function () { if (P.timer === null) { start(); } else { stop(); } });
    L.DomEvent.on(speed, 'change', function () {
      if (P.timer !== null) { stop(); start(); }
    });
    MM.playing = function () { return P.timer !== null; };
  }

  MM.setDates = function (from, to) { S.from = from; S.to = to; MM.refresh(); };
  MM.setZone = function (key, on) { S.zoneOn[key] = on; MM.refresh(); };
  MM.drawnLegCount = function () {
    var n = 0, D = S.legs;
    if (D.gl) { return D.nShown; }
    for (var i = 0; i < D.n; i++) {
      if (D.lines[i] && S.map.hasLayer(D.lines[i])) { n++; }
    }
    return n;
  };
  MM.drawnPlaceCount = function () {
    return S.places.markers.filter(function (m) { return S.map.hasLayer(m); }).length;
  };
  MM.zoneShown = function (key) { return !!S.zoneLayers[key] && S.map.hasLayer(S.zoneLayers[key].layer); };
  MM.legLayer = function (i) { return S.legs.lines ? S.legs.lines[i] : null; };
  MM.webgl = function () { return !!S.legs.gl; };
  // Where leg i is drawn, in container pixels (null if it has no line).
  MM.legPoint = function (i) {
    if (S.legs.gl) { return S.legs.gl.legPoint(i); }
    var l = S.legs.lines[i];
    return l && l._parts && l._parts.length ? l._parts[0][0] : null;
  };
  MM.placeLayer = function (j) { return S.places.markers[j]; };

  // Panels: a column on each side (Leaflet's top corners, laid out as
  // flex columns in movemap.css), so they stack and never overlap; each
  // collapses to its heading, and on a narrow screen starts collapsed.
  MM.finish = function (map) {
    var size = map.getSize();
    S.compact = size.x < 700 || size.y < 500;
    map.getContainer().classList.toggle('mm-compact', S.compact);
    new Box(buildTitle, {position: 'topleft', className: 'mm-title-box'}).addTo(map);
    new Box(buildTimeFilter, {position: 'topleft', className: 'mm-time'}).addTo(map);
    new Box(buildLayerControl, {position: 'topright', className: 'mm-layers'}).addTo(map);
    new Box(buildLegend, {position: 'topright', className: 'mm-legend'}).addTo(map);
    S.onRefresh.push(scheduleDeclutter);
    map.on('zoomend moveend', scheduleDeclutter);
    MM.refresh();
    var b = S.meta.bounds;
    // Not animated: the first view is set before the page says it is ready.
    if (b) { map.fitBounds(b, L.extend(fitPadding(map), {animate: false})); }
    map.on('resize', function () {
      map.getContainer().classList.toggle('mm-compact', map.getSize().x < 700 || map.getSize().y < 500);
    });
    scheduleDeclutter();
    MM.ready = true;
    MM.readyAt = window.performance ? window.performance.now() : null;  // ms since navigation
    // The canvas draws on the next animation frame: note when that frame is done.
    window.requestAnimationFrame(function () {
      window.requestAnimationFrame(function () {
        MM.paintedAt = window.performance ? window.performance.now() : null;
      });
    });
    document.documentElement.setAttribute('data-movemap-ready', '1');
  };
}(window, document, L));
