// Reads a BCF archive with @parametricos/bcf-js and prints what it parsed, as JSON (tests/bcf_readers.py).
// Usage: node read.mjs 2.1|3.0 FILE.bcf
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const [version, file] = process.argv.slice(2);
const { BcfReader } = require(version === "3.0" ? "@parametricos/bcf-js/dist/3.0" : "@parametricos/bcf-js/dist/2.1");

const errors = [];
console.error = (...args) => errors.push(args.map(String).join(" "));   // the library logs what it throws
console.log = () => {};

const list = (x) => (x === undefined || x === null ? [] : Array.isArray(x) ? x : [x]);
// 2.1 gives header.files[].file[], 3.0 header.files[]: every object with a filename, wherever it is
const files = (header) => {
  const out = [];
  const walk = (x) => {
    if (Array.isArray(x)) x.forEach(walk);
    else if (x && typeof x === "object") {
      if ("filename" in x) out.push({ filename: String(x.filename), ifc_project: x.ifc_project ?? null });
      else Object.values(x).forEach(walk);
    }
  };
  walk(header);
  return out;
};
const reader = new BcfReader();
const data = await readFile(file);
await reader.read(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
if (errors.length) {
  process.stderr.write(errors.join("\n") + "\n");
  process.exit(1);
}

const topics = reader.markups.map((m) => {
  const t = m.topic;
  const vp = m.viewpoints[0];
  const cam = vp && vp.perspective_camera;
  const point = (p) => [Number(p.x), Number(p.y), Number(p.z)];
  const colouring = (vp && vp.components && list(vp.components.coloring)) || [];
  return {
    guid: t.guid,
    title: String(t.title),
    status: t.topic_status,
    type: t.topic_type,
    selection: ((vp && vp.components && list(vp.components.selection)) || []).map((c) => c.ifc_guid),
    coloured: colouring.flatMap((c) => list(c.components).map((x) => x.ifc_guid)),
    colours: colouring.map((c) => c.color),
    camera: cam ? { point: point(cam.camera_view_point), direction: point(cam.camera_direction),
                    up: point(cam.camera_up_vector), fov: Number(cam.field_of_view) } : null,
    snapshot: vp ? vp.snapshot || null : null,
    files: files(m.header),
  };
});
process.stdout.write(JSON.stringify({ project: reader.project && reader.project.project_id, topics }));
