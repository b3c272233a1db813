// The learning player of the SignSparK demo: the body of a gr.HTML `js_on_load`
// (`element`, `props` are given). It builds a <video> with controls for learners (speed
// 0.25x-1x, loop, replay with a slower second pass, frame stepping) and the shown text with
// the sign or letter being made highlighted, and registers itself as
// window.SignSparKPlayers[props.player_id] for the demo's event hooks:
//   setInfo(info)   timing of a new clip (signspark.playback.player_info, plus `stream`)
//   chunks(files)   the finished pieces so far (gr.File values), appended in order through
//                   Media Source Extensions while the clip renders
//   finish(video)   the finished mp4 (a gr.Video value): ends the stream, or plays the file
const SPEEDS = [0.25, 0.5, 0.75, 1];
const root = document.createElement("div");
root.className = "ssp";
root.innerHTML = `
  <video class="ssp-video" muted playsinline preload="auto"></video>
  <div class="ssp-text" aria-live="off"></div>
  <div class="ssp-cues" role="list"></div>
  <div class="ssp-controls">
    <span class="ssp-group" role="group" aria-label="Playback speed">
      <span class="ssp-label">Speed</span>
      ${SPEEDS.map((s) => `<button type="button" class="ssp-speed" data-speed="${s}">${s}x</button>`).join("")}
    </span>
    <label class="ssp-loop-label"><input type="checkbox" class="ssp-loop"> Loop</label>
    <button type="button" class="ssp-replay" title="Play from the start, then once more at half the speed">Replay, then slower</button>
    <span class="ssp-group" role="group" aria-label="Frame by frame">
      <button type="button" class="ssp-back" title="One frame back" aria-label="One frame back">&#9664;|</button>
      <button type="button" class="ssp-play" aria-label="Play or pause">&#9654; / &#10074;&#10074;</button>
      <button type="button" class="ssp-next" title="One frame forward" aria-label="One frame forward">|&#9654;</button>
    </span>
    <span class="ssp-frame">no clip yet</span>
  </div>`;
element.innerHTML = "";
element.appendChild(root);

const video = root.querySelector(".ssp-video");
const textBox = root.querySelector(".ssp-text");
const cueBox = root.querySelector(".ssp-cues");
const frameLabel = root.querySelector(".ssp-frame");
const loopBox = root.querySelector(".ssp-loop");
let info = { fps: 25, num_frames: 0, duration: 0, text: "", cues: [] };
let rate = 1;
let pass = 0; // 1, 2: the two passes of "Replay, then slower"
let stream = null; // {ms, sb, queue, seen, ended, codec, fetching}
let current = -2;

function esc(s) {
  return String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
}

function drawText() {
  const text = info.text || "";
  const spans = info.cues.map((c, i) => [c.span, i]).filter(([s]) => s);
  let html = "", at = 0;
  for (const [[a, b], i] of spans) {
    if (a < at) continue;
    html += esc(text.slice(at, a)) + `<span class="ssp-sign" data-cue="${i}">${esc(text.slice(a, b))}</span>`;
    at = b;
  }
  textBox.innerHTML = html + esc(text.slice(at));
  cueBox.innerHTML = info.cues
    .map((c, i) => `<button type="button" role="listitem" class="ssp-chip" data-cue="${i}" title="${esc(c.label)}: ` +
      `${c.start.toFixed(2)}-${c.end.toFixed(2)} s">${esc(c.label)}</button>`).join("");
  current = -2;
  highlight(video.currentTime || 0);
}

function frameAt(t) {
  return Math.max(0, Math.min(Math.max(info.num_frames - 1, 0), Math.floor(t * info.fps + 1e-3)));
}

function highlight(t) {
  const f = frameAt(t);
  const i = info.cues.findIndex((c) => c.start_frame <= f && f <= c.end_frame);
  const cue = i >= 0 ? info.cues[i] : null;
  frameLabel.textContent = info.num_frames
    ? `frame ${f + 1} / ${info.num_frames}` + (cue ? ` \u00b7 ${cue.label}` : "") +
      (pass === 2 ? ` \u00b7 slower pass ${video.playbackRate}x` : "")
    : "no clip yet";
  if (i === current) return;
  current = i;
  root.dataset.current = cue ? cue.label : "";
  root.querySelectorAll("[data-cue]").forEach((el) => el.classList.toggle("ssp-on", Number(el.dataset.cue) === i));
}

function onFrame(now, meta) {
  highlight(meta.mediaTime);
  if (!root.dataset.firstFrameMs && video.videoWidth) root.dataset.firstFrameMs = String(Math.round(performance.now()));
  video.requestVideoFrameCallback(onFrame);
}
if ("requestVideoFrameCallback" in HTMLVideoElement.prototype) video.requestVideoFrameCallback(onFrame);
video.addEventListener("timeupdate", () => highlight(video.currentTime));
video.addEventListener("seeked", () => highlight(video.currentTime));

function setRate(r) {
  rate = r;
  video.playbackRate = r;
  root.querySelectorAll(".ssp-speed").forEach((b) => b.setAttribute("aria-pressed", String(Number(b.dataset.speed) === r)));
}
setRate(1);
root.querySelectorAll(".ssp-speed").forEach((b) => b.addEventListener("click", () => { pass = 0; setRate(Number(b.dataset.speed)); }));
loopBox.addEventListener("change", () => { video.loop = loopBox.checked; });
root.querySelector(".ssp-replay").addEventListener("click", () => {
  pass = 1;
  video.loop = false;
  video.playbackRate = rate;
  video.currentTime = 0;
  video.play().catch(() => {});
});
video.addEventListener("ended", () => {
  if (pass === 1) {
    pass = 2;
    video.playbackRate = Math.max(0.25, rate / 2);
    video.currentTime = 0;
    video.play().catch(() => {});
  } else if (pass === 2) {
    pass = 0;
    video.playbackRate = rate;
    video.loop = loopBox.checked;
  }
});
function step(k) {
  video.pause();
  const f = Math.max(0, Math.min(info.num_frames - 1, frameAt(video.currentTime) + k));
  video.currentTime = (f + 0.5) / info.fps;
}
root.querySelector(".ssp-back").addEventListener("click", () => step(-1));
root.querySelector(".ssp-next").addEventListener("click", () => step(1));
root.querySelector(".ssp-play").addEventListener("click", () => (video.paused ? video.play().catch(() => {}) : video.pause()));
cueBox.addEventListener("click", (e) => {
  const chip = e.target.closest("[data-cue]");
  if (!chip) return;
  const c = info.cues[Number(chip.dataset.cue)];
  video.currentTime = (c.start_frame + 0.5) / info.fps;
  video.play().catch(() => {});
});

// ---------------------------------------------------------------- the clip: streamed or a file
function urlOf(v) {
  if (!v) return null;
  if (typeof v === "string") return v;
  return (v.video && v.video.url) || v.url || null;
}

function codecOf(buf) {
  const b = new Uint8Array(buf);
  for (let i = 0; i + 8 < b.length; i++) {
    if (b[i] === 0x61 && b[i + 1] === 0x76 && b[i + 2] === 0x63 && b[i + 3] === 0x43) { // "avcC"
      const hex = (x) => x.toString(16).padStart(2, "0");
      return `avc1.${hex(b[i + 5])}${hex(b[i + 6])}${hex(b[i + 7])}`;
    }
  }
  return null;
}

function pump() {
  const s = stream;
  if (!s || !s.sb || s.sb.updating || s.ms.readyState !== "open") return;
  if (s.queue.length) {
    try { s.sb.appendBuffer(s.queue.shift()); } catch (err) { fallBack(String(err)); }
  } else if (s.ended && !s.fetching) {
    try { s.ms.endOfStream(); } catch (err) { /* already ended */ }
  }
}

function fallBack(why) {
  // Media Source Extensions cannot take the pieces here: show the finished file when it comes.
  if (stream) stream.failed = why;
  root.dataset.streamError = why;
  if (stream && stream.finalUrl) load(stream.finalUrl);
}

function openSource(codec) {
  const s = stream;
  const type = `video/mp4; codecs="${codec}"`;
  if (!window.MediaSource || !MediaSource.isTypeSupported(type)) return fallBack(`unsupported: ${type}`);
  s.ms = new MediaSource();
  s.ms.addEventListener("sourceopen", () => {
    if (stream !== s) return;
    s.sb = s.ms.addSourceBuffer(type);
    s.sb.mode = "sequence";
    s.sb.addEventListener("updateend", () => {
      if (stream !== s) return;
      if (!s.started && video.paused) { s.started = true; video.play().catch(() => {}); }
      pump();
    });
    pump();
  }, { once: true });
  video.src = URL.createObjectURL(s.ms);
}

function chunks(files) {
  const s = stream;
  if (!s || s.failed) return;
  for (const f of files || []) {
    const url = urlOf(f);
    if (!url || s.seen.has(url)) continue;
    s.seen.add(url);
    const order = s.order++;
    s.fetching++;
    s.pending.push(fetch(url).then((r) => {
      if (!r.ok) throw new Error(`piece ${order}: HTTP ${r.status}`);
      return r.arrayBuffer();
    }));
  }
  // append in order, each once its download is done
  const next = () => {
    if (stream !== s || !s.pending.length || s.busy) return;
    s.busy = true;
    s.pending.shift().then((buf) => {
      s.fetching--;
      s.busy = false;
      if (stream !== s || s.failed) return;
      if (!s.ms) {
        const codec = codecOf(buf);
        if (!codec) return fallBack("no H.264 configuration in the first piece");
        openSource(codec);
      }
      s.queue.push(buf);
      pump();
      next();
    }, (err) => { s.fetching--; s.busy = false; fallBack(String(err)); });
  };
  next();
}

function load(url) {
  stream = null;
  video.src = url;
  video.playbackRate = rate;
  video.loop = loopBox.checked;
  video.play().catch(() => {});
}

function setInfo(v) {
  if (!v || typeof v !== "object" || !v.fps) return;
  info = { fps: v.fps, num_frames: v.num_frames || 0, duration: v.duration || 0, text: v.text || "", cues: v.cues || [] };
  if (v.stream) {
    video.removeAttribute("src");
    video.load();
    delete root.dataset.firstFrameMs;
    delete root.dataset.streamError;
    stream = { queue: [], pending: [], seen: new Set(), order: 0, fetching: 0, ended: false, busy: false };
    root.dataset.streamStartMs = String(Math.round(performance.now()));
  }
  drawText();
}

function finish(v) {
  const url = urlOf(v);
  if (!url) return;
  if (stream && !stream.failed) {
    stream.ended = true;
    stream.finalUrl = url;
    pump();
  } else {
    load(url);
  }
  root.dataset.finished = "1";
}

video.addEventListener("ratechange", () => highlight(video.currentTime));
window.SignSparKPlayers = window.SignSparKPlayers || {};
window.SignSparKPlayers[props.player_id] = { setInfo, chunks, finish, load, video, root };
