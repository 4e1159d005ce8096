/* movemap WebGL leg layer: every leg drawn by the GPU, for big maps.
 *
 * Used instead of one Leaflet polyline per leg above a leg count (see
 * layers/webgl.py).  No third-party code: a Leaflet renderer (so it pans
 * and zooms like Leaflet's own canvas) holding one indexed draw call.
 * Each leg segment is a quad of two triangles (four vertices), widened in
 * the vertex shader to the status's line width in screen pixels; dashes
 * are cut in the fragment shader from the distance along the leg, so
 * status keeps the canvas path's dash patterns.  Filters change a
 * per-vertex visibility byte (no geometry is rebuilt); a click picks the
 * nearest visible segment on the CPU, in screen pixels.
 *
 * Not instanced drawing: without a GPU (SwiftShader, as in headless
 * Chromium and on machines whose GPU is blocklisted) each instance costs
 * ~13 us of set-up, which made a 10k-segment frame 130 ms; the same
 * segments as 40k plain vertices draw in ~6 ms.
 *
 * Positions are Web Mercator pixels at zoom 0 (float32: exact to well
 * under a pixel up to zoom 15).  Nothing here reads text: popups are
 * built by movemap.js with textContent.
 */
(function (window, document, L) {
  'use strict';

  /* One quad (4 vertices, 2 triangles) per segment.  Width and dash
   * pattern are looked up once per vertex and handed to the fragment
   * shader, which does no loop. */
  var VS = [
    'attribute vec4 aSeg;',          // a.x, a.y, b.x, b.y (zoom-0 pixels)
    'attribute float aCum;',         // distance along the leg at a (zoom-0 px)
    'attribute vec4 aColour;',
    'attribute vec4 aFlags;',        // /255: status index, visible, highlighted, corner 0-3
    'uniform vec2 uOrigin;',         // pixel origin of the canvas at this zoom
    'uniform float uScale;',         // 2^zoom
    'uniform vec2 uSize;',           // canvas size in CSS pixels
    'uniform vec4 uWidth[8];',       // x: width of each status
    'uniform vec4 uDash[8];',        // on, off, on, off (pixels); all 0: solid
    'varying vec4 vColour;',
    'varying float vAlong;',
    'varying vec4 vDash;',
    'void main() {',
    '  vec4 f = floor(aFlags * 255.0 + 0.5);',
    '  if (f.y < 0.5) { gl_Position = vec4(2.0, 2.0, 2.0, 1.0); return; }',
    '  vec2 a = aSeg.xy * uScale - uOrigin;',
    '  vec2 b = aSeg.zw * uScale - uOrigin;',
    '  vec2 d = b - a;',
    '  float len = length(d);',
    '  vec2 u = len > 0.0 ? d / len : vec2(1.0, 0.0);',
    '  vec2 n = vec2(-u.y, u.x);',
    '  int s = int(f.x);',
    '  float w = uWidth[s].x;',
    '  if (f.z > 0.5) { w += 3.0; }',
    '  float cx = (f.w > 0.5 && f.w < 2.5) ? 1.0 : 0.0;',
    '  float cy = f.w > 1.5 ? 1.0 : -1.0;',
    '  vec2 p = mix(a, b, cx) + n * cy * w * 0.5;',
    '  vAlong = aCum * uScale + cx * len;',
    '  vColour = aColour;',
    '  vDash = uDash[s];',
    '  gl_Position = vec4(p.x / uSize.x * 2.0 - 1.0, 1.0 - p.y / uSize.y * 2.0, 0.0, 1.0);',
    '}'
  ].join('\n');

  var FS = [
    '#ifdef GL_FRAGMENT_PRECISION_HIGH',
    'precision highp float;',          // distance along a leg reaches 1e5 px
    '#else',
    'precision mediump float;',
    '#endif',
    'varying vec4 vColour;',
    'varying float vAlong;',
    'varying vec4 vDash;',
    'void main() {',
    '  float period = vDash.x + vDash.y + vDash.z + vDash.w;',
    '  if (period > 0.0) {',
    '    float t = mod(vAlong, period);',
    '    if ((t >= vDash.x && t < vDash.x + vDash.y) || t >= vDash.x + vDash.y + vDash.z) { discard; }',
    '  }',
    '  gl_FragColor = vec4(vColour.rgb * vColour.a, vColour.a);',
    '}'
  ].join('\n');

  function compile(gl, type, src) {
    var sh = gl.createShader(type);
    gl.shaderSource(sh, src);
    gl.compileShader(sh);
    if (!gl.getShaderParameter(sh, gl.COMPILE_STATUS)) {
      throw new Error('movemap WebGL shader: ' + gl.getShaderInfoLog(sh));
    }
    return sh;
  }
  function hexColour(hex) {
    var m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex || '');
    return m ? [parseInt(m[1], 16), parseInt(m[2], 16), parseInt(m[3], 16)] : [127, 127, 127];
  }
  function dashOf(text) {
    var v = String(text || '').trim().split(/[\s,]+/).filter(Boolean).map(Number);
    if (!v.length) { return [0, 0, 0, 0]; }
    if (v.length % 2) { v = v.concat(v); }
    while (v.length < 4) { v = v.concat(v); }
    return v.slice(0, 4);
  }
  // Mercator pixels at zoom 0 (Leaflet's EPSG:3857 with a 256-px world).
  var R2D = Math.PI / 180, MAXLAT = 85.0511287798;
  function mx(lon) { return 128 + lon * (256 / 360); }
  function my(lat) {
    var s = Math.sin(Math.max(-MAXLAT, Math.min(MAXLAT, lat)) * R2D);
    return 128 - (256 / (4 * Math.PI)) * Math.log((1 + s) / (1 - s));
  }

  /* Segments of every distinct line.  lines[k] is a list of parts, each a
   * flat [lat, lon, lat, lon, ...] list (layers/payload.py flat_parts); legs
   * drawn along the same line share it (legs payload geom_u / geom_c). */
  function segments(lines) {
    var m = lines.length, count = 0, k, j, p;
    for (k = 0; k < m; k++) {
      for (j = 0; j < lines[k].length; j++) { count += Math.max(0, lines[k][j].length / 2 - 1); }
    }
    var seg = new Float32Array(count * 4), cum = new Float32Array(count);
    var line = new Uint32Array(count), first = new Int32Array(m + 1);
    var s = 0;
    for (k = 0; k < m; k++) {
      first[k] = s;
      var along = 0;
      for (j = 0; j < lines[k].length; j++) {
        var f = lines[k][j];
        var ax = mx(f[1]), ay = my(f[0]);
        for (p = 2; p < f.length; p += 2) {
          var bx = mx(f[p + 1]), by = my(f[p]);
          seg[4 * s] = ax; seg[4 * s + 1] = ay; seg[4 * s + 2] = bx; seg[4 * s + 3] = by;
          cum[s] = along;
          along += Math.sqrt((bx - ax) * (bx - ax) + (by - ay) * (by - ay));
          line[s] = k;
          ax = bx; ay = by;
          s++;
        }
      }
    }
    first[m] = s;
    // The drawing's vertices: the segment's four corners (corner index in
    // flags byte 3); colours and flags are rewritten by paint().
    var vflags = new Uint8Array(count * 16);
    for (s = 0; s < count; s++) {
      vflags[16 * s + 7] = 1; vflags[16 * s + 11] = 2; vflags[16 * s + 15] = 3;
    }
    return {n: count, m: m, seg: seg, cum: cum, line: line, first: first,
            flags: new Uint8Array(count * 4), vcolour: new Uint8Array(count * 16),
            vflags: vflags, top: new Int32Array(m).fill(-1)};
  }

  var GlLegs = L.Renderer.extend({
    /* The canvas reaches a quarter of the window beyond each edge, and a
     * pan whose view stays inside what was drawn moves the drawn canvas
     * with the map and draws nothing (_covers): with software WebGL (no
     * GPU) each frame of 100k legs costs ~20-40 ms of rasterising and a
     * copy of the canvas to the compositor, so most pans skip both; a pan
     * past the drawn area, a zoom or a resize redraws. */
    options: {padding: 0.25},

    initialize: function (data, options) {
      L.Renderer.prototype.initialize.call(this, options);
      this._data = data;  // {segments, widths[8], dashes[8]}
    },

    _initContainer: function () {
      var c = this._container = document.createElement('canvas');
      c.className = 'mm-webgl-legs';
      c.style.pointerEvents = 'none';  // clicks reach the map (picking below)
      // No multisampling: in software rendering it multiplies the cost of a frame.
      var opts = {alpha: true, premultipliedAlpha: true, antialias: false,
                  preserveDrawingBuffer: false};
      var gl = c.getContext('webgl', opts) || c.getContext('experimental-webgl', opts);
      if (!gl) { throw new Error('movemap: this browser has no WebGL'); }
      if (!gl.getExtension('OES_element_index_uint')) {
        throw new Error('movemap: WebGL without 32-bit indices');
      }
      this._gl = gl;
      var prog = gl.createProgram();
      gl.attachShader(prog, compile(gl, gl.VERTEX_SHADER, VS));
      gl.attachShader(prog, compile(gl, gl.FRAGMENT_SHADER, FS));
      gl.linkProgram(prog);
      if (!gl.getProgramParameter(prog, gl.LINK_STATUS)) {
        throw new Error('movemap WebGL program: ' + gl.getProgramInfoLog(prog));
      }
      this._prog = prog;
      var S = this._data.segments;
      function buffer(array) {
        var b = gl.createBuffer();
        gl.bindBuffer(gl.ARRAY_BUFFER, b);
        gl.bufferData(gl.ARRAY_BUFFER, array, gl.STATIC_DRAW);
        return b;
      }
      // Each segment's values repeated at its four corners.
      var n = S.n, vseg = new Float32Array(16 * n), vcum = new Float32Array(4 * n);
      var index = new Uint32Array(6 * n), s, j;
      for (s = 0; s < n; s++) {
        for (j = 0; j < 4; j++) {
          vseg[16 * s + 4 * j] = S.seg[4 * s]; vseg[16 * s + 4 * j + 1] = S.seg[4 * s + 1];
          vseg[16 * s + 4 * j + 2] = S.seg[4 * s + 2]; vseg[16 * s + 4 * j + 3] = S.seg[4 * s + 3];
          vcum[4 * s + j] = S.cum[s];
        }
        index[6 * s] = 4 * s; index[6 * s + 1] = 4 * s + 1; index[6 * s + 2] = 4 * s + 2;
        index[6 * s + 3] = 4 * s; index[6 * s + 4] = 4 * s + 2; index[6 * s + 5] = 4 * s + 3;
      }
      this._buf = {seg: buffer(vseg), cum: buffer(vcum)};
      this._buf.index = gl.createBuffer();
      gl.bindBuffer(gl.ELEMENT_ARRAY_BUFFER, this._buf.index);
      gl.bufferData(gl.ELEMENT_ARRAY_BUFFER, index, gl.STATIC_DRAW);
      ['vcolour', 'vflags'].forEach(function (name) {
        var b = this._buf[name] = gl.createBuffer();
        gl.bindBuffer(gl.ARRAY_BUFFER, b);
        gl.bufferData(gl.ARRAY_BUFFER, S[name], gl.DYNAMIC_DRAW);
      }, this);
      var loc = this._loc = {};
      ['aSeg', 'aCum', 'aColour', 'aFlags'].forEach(function (a) {
        loc[a] = gl.getAttribLocation(prog, a);
      });
      ['uOrigin', 'uScale', 'uSize', 'uWidth', 'uDash'].forEach(function (u) {
        loc[u] = gl.getUniformLocation(prog, u);
      });
    },

    _destroyContainer: function () {
      L.DomUtil.remove(this._container);
      delete this._gl;
    },

    _update: function () {
      if (this._map._animatingZoom && this._bounds) { return; }
      if (this._covers()) { return; }  // a pan inside the drawn area: nothing to redraw
      L.Renderer.prototype._update.call(this);
      this._drawnSize = this._map.getSize();
      var b = this._bounds, size = b.getSize(), c = this._container;
      var dpr = window.devicePixelRatio || 1;
      L.DomUtil.setPosition(c, b.min);
      var w = Math.round(dpr * size.x), h = Math.round(dpr * size.y);
      if (c.width !== w || c.height !== h) {  // resizing reallocates the drawing buffer
        c.width = w;
        c.height = h;
        c.style.width = size.x + 'px';
        c.style.height = size.y + 'px';
      }
      this.redraw();
      this.fire('update');
    },

    /** Whether the canvas as last drawn (same zoom) still covers the whole view. */
    _covers: function () {
      var map = this._map, b = this._bounds, size = map.getSize(), was = this._drawnSize;
      if (!b || !this._gl || this._zoom !== map.getZoom()) { return false; }
      if (!was || !was.equals(size)) { return false; }  // a resize redraws at the new size
      var min = map.containerPointToLayerPoint([0, 0]);
      var max = map.containerPointToLayerPoint(size);
      return b.contains(min) && b.contains(max);
    },

    /** Draw every visible segment now (after a view change or a filter). */
    redraw: function () {
      var gl = this._gl, loc = this._loc, S = this._data.segments;
      if (!gl || !this._map || !this._bounds) { return; }
      var t0 = window.performance.now();
      var b = this._bounds, size = b.getSize();
      // The drawing buffer may be smaller than asked for (a GPU size limit): draw into
      // what there is; the browser stretches it over the canvas.
      gl.viewport(0, 0, gl.drawingBufferWidth, gl.drawingBufferHeight);
      gl.clearColor(0, 0, 0, 0);
      gl.clear(gl.COLOR_BUFFER_BIT);
      if (!S.n) { return; }
      gl.useProgram(this._prog);
      gl.enable(gl.BLEND);
      gl.blendFunc(gl.ONE, gl.ONE_MINUS_SRC_ALPHA);
      var scale = Math.pow(2, this._map.getZoom());
      var origin = b.min.add(this._map.getPixelOrigin());
      gl.uniform2f(loc.uOrigin, origin.x, origin.y);
      gl.uniform1f(loc.uScale, scale);
      gl.uniform2f(loc.uSize, size.x, size.y);
      gl.uniform4fv(loc.uWidth, this._data.widths);
      gl.uniform4fv(loc.uDash, this._data.dashes);
      function attr(name, buf, n, type, norm) {
        gl.bindBuffer(gl.ARRAY_BUFFER, buf);
        gl.enableVertexAttribArray(loc[name]);
        gl.vertexAttribPointer(loc[name], n, type, norm, 0, 0);
      }
      attr('aSeg', this._buf.seg, 4, gl.FLOAT, false);
      attr('aCum', this._buf.cum, 1, gl.FLOAT, false);
      attr('aColour', this._buf.vcolour, 4, gl.UNSIGNED_BYTE, true);
      attr('aFlags', this._buf.vflags, 4, gl.UNSIGNED_BYTE, true);
      gl.bindBuffer(gl.ELEMENT_ARRAY_BUFFER, this._buf.index);
      gl.drawElements(gl.TRIANGLES, 6 * S.n, gl.UNSIGNED_INT, 0);
      this.lastDrawMs = window.performance.now() - t0;
    },

    /** Upload the per-segment colours and flags (status, shown, highlight); redraw. */
    setFlags: function () {
      var gl = this._gl, S = this._data.segments;
      if (!gl) { return; }
      gl.bindBuffer(gl.ARRAY_BUFFER, this._buf.vcolour);
      gl.bufferSubData(gl.ARRAY_BUFFER, 0, S.vcolour);
      gl.bindBuffer(gl.ARRAY_BUFFER, this._buf.vflags);
      gl.bufferSubData(gl.ARRAY_BUFFER, 0, S.vflags);
      this.redraw();
    },

    /** The shown leg nearest a container point, within `tol` pixels, or -1. */
    pick: function (point, tol) {
      var S = this._data.segments, map = this._map;
      var scale = Math.pow(2, map.getZoom());
      var origin = map.getPixelOrigin().add(map._getMapPanePos().multiplyBy(-1));
      var px = (point.x + origin.x) / scale, py = (point.y + origin.y) / scale;
      var best = -1, bestD = Infinity, seg = S.seg, flags = S.flags;
      for (var s = 0; s < S.n; s++) {
        if (!flags[4 * s + 1]) { continue; }
        var ax = seg[4 * s], ay = seg[4 * s + 1], bx = seg[4 * s + 2], by = seg[4 * s + 3];
        var dx = bx - ax, dy = by - ay, l2 = dx * dx + dy * dy;
        var t = l2 > 0 ? ((px - ax) * dx + (py - ay) * dy) / l2 : 0;
        t = t < 0 ? 0 : (t > 1 ? 1 : t);
        var ex = ax + t * dx - px, ey = ay + t * dy - py, d = ex * ex + ey * ey;
        if (d < bestD) { bestD = d; best = s; }
      }
      if (best < 0) { return -1; }
      var w = this._data.widths[4 * flags[4 * best]] || 3;
      return Math.sqrt(bestD) * scale <= tol + w / 2 ? S.top[S.line[best]] : -1;
    },

    /** Container point at the middle of line k (tests, benchmarks). */
    linePoint: function (k) {
      var S = this._data.segments, a = S.first[k], b = S.first[k + 1];
      if (b <= a) { return null; }
      var s = a + ((b - a) >> 1), seg = S.seg;
      var x = (seg[4 * s] + seg[4 * s + 2]) / 2, y = (seg[4 * s + 1] + seg[4 * s + 3]) / 2;
      var scale = Math.pow(2, this._map.getZoom());
      var origin = this._map.getPixelOrigin().add(this._map._getMapPanePos().multiplyBy(-1));
      return L.point(x * scale - origin.x, y * scale - origin.y);
    }
  });

  /* Build the layer for movemap.js: D is the legs payload (geom_u, geom_c),
   * meta the page's metadata.  A line shared by several legs is drawn once,
   * in the style of the last shown leg along it (the one a click opens). */
  function create(map, D, meta, pane) {
    var statusIndex = {}, widths = new Float32Array(32), dashes = new Float32Array(32);
    meta.statuses.forEach(function (s, k) {
      if (k >= 8) { return; }
      statusIndex[s.key] = k;
      var st = meta.status_style[s.key] || {};
      widths[4 * k] = st.weight || 3;
      var d = dashOf(st.dashArray);
      for (var j = 0; j < 4; j++) { dashes[4 * k + j] = d[j]; }
    });
    var c = D.cols, n = D.n, code = D.geom_c;
    // Each leg's colour (actor group), opacity (faded if uncertain) and status.
    var rgba = new Uint8Array(4 * n), status = new Uint8Array(n), rgbByKey = {};
    c.colour_key.u.forEach(function (key) {
      rgbByKey[key] = hexColour(D.actor_colour[key] || meta.other_colour);
    });
    var statusOfCode = c.status.u.map(function (s) { return statusIndex[s] || 0; });
    for (var i = 0; i < n; i++) {
      var k = c.colour_key.c[i], rgb = k < 0 ? hexColour(meta.other_colour) : rgbByKey[c.colour_key.u[k]];
      rgba[4 * i] = rgb[0]; rgba[4 * i + 1] = rgb[1]; rgba[4 * i + 2] = rgb[2];
      rgba[4 * i + 3] = Math.round(255 * (c.uncertain[i] ? meta.uncertain_opacity : 0.9));
      status[i] = c.status.c[i] < 0 ? 0 : statusOfCode[c.status.c[i]];
    }
    var segs = segments(D.geom_u);
    var layer = new GlLegs({segments: segs, widths: widths, dashes: dashes}, {pane: pane});
    var lit = new Uint8Array(segs.m);
    function paint() {
      var top = segs.top, f = segs.flags, vc = segs.vcolour, vf = segs.vflags;
      for (var k = 0; k < segs.m; k++) {
        var leg = top[k], on = leg < 0 ? 0 : 1, st = on ? status[leg] : 0, hi = on ? lit[k] : 0;
        var r = on ? rgba[4 * leg] : 0, g = on ? rgba[4 * leg + 1] : 0;
        var b = on ? rgba[4 * leg + 2] : 0, a = on ? rgba[4 * leg + 3] : 0;
        for (var s = segs.first[k]; s < segs.first[k + 1]; s++) {
          f[4 * s] = st; f[4 * s + 1] = on; f[4 * s + 2] = hi;
          for (var v = 16 * s; v < 16 * s + 16; v += 4) {
            vc[v] = r; vc[v + 1] = g; vc[v + 2] = b; vc[v + 3] = a;
            vf[v] = st; vf[v + 1] = on; vf[v + 2] = hi;
          }
        }
      }
      layer.setFlags();
    }
    layer.addTo(map);
    return {
      layer: layer,
      segments: segs,
      // shown[i]: leg i passes every filter.  The last shown leg on a line draws it.
      setShown: function (shown) {
        segs.top.fill(-1);
        for (var i = 0; i < n; i++) { if (shown[i] && code[i] >= 0) { segs.top[code[i]] = i; } }
        paint();
      },
      highlight: function (legs, on) {
        legs.forEach(function (i) { if (code[i] >= 0) { lit[code[i]] = on ? 1 : 0; } });
        paint();
      },
      legPoint: function (i) { return code[i] < 0 ? null : layer.linePoint(code[i]); }
    };
  }

  /* Why this browser cannot draw the layer (null when it can). */
  function unsupported() {
    var c = document.createElement('canvas'), gl = null;
    try { gl = c.getContext('webgl') || c.getContext('experimental-webgl'); } catch (e) { gl = null; }
    if (!gl) { return 'this browser has no WebGL'; }
    if (!gl.getExtension('OES_element_index_uint')) { return 'WebGL without 32-bit indices'; }
    var lose = gl.getExtension('WEBGL_lose_context');
    if (lose) { lose.loseContext(); }
    return null;
  }

  window.movemapWebgl = {create: create, unsupported: unsupported, GlLegs: GlLegs};
}(window, document, L));
