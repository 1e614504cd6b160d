// The 3D view of a submission's models on the result page, bundled with three.js into
// compliance/web/static/build/viewer.js (one IIFE, no network: the app works offline).
//
//   const viewer = await window.ComplianceViewer.mount(container, ["/views/a.glb", "/views/b.glb"]);
//   viewer.highlight(["2SGHBWXQzNpeTPtvc3nUE6", ...])  // -> {found, missing}
//   viewer.highlighted()                                // the GlobalIds shown highlighted, sorted
//   viewer.clear()
//
// Every glb comes from compliance/web/model3d.py: one node per element, named by its GlobalId,
// Y up, metres, world coordinates shared by the models of one submission.
// The container's data attributes say what is shown (the page and the tests read them):
//   data-state       loading | ready | error     data-error   why, when error
//   data-highlighted the highlighted GlobalIds, sorted, space-separated
//   data-missing     GlobalIds asked for that have no geometry in the view
//                    (both absent until the first highlight(), empty after clear())
//   data-picked      the GlobalId last clicked (also a bubbling "element-picked" CustomEvent)

import {
  Box3, Color, DirectionalLight, DoubleSide, Group, HemisphereLight, MeshStandardMaterial,
  PerspectiveCamera, Raycaster, REVISION, Scene, Sphere, Vector2, Vector3, WebGLRenderer,
} from "three";
import { GLTFLoader } from "three/examples/jsm/loaders/GLTFLoader.js";
import { OrbitControls } from "three/examples/jsm/controls/OrbitControls.js";
import pkg from "../package.json";

const HIGHLIGHT = 0xff7a00;       // orange
const GHOST = 0x9aa3ad;           // the other elements while some are highlighted: translucent grey
const BACKGROUND = 0xf3f4f6;
const CLICK_PX = 5;               // a pointer that moved less than this between down and up clicked

// the GlobalId of an object: its own glTF node name or its nearest named ancestor's. GLTFLoader
// sanitises `name` (and makes it unique); the original name is in userData.name.
function globalIdOf(object) {
  for (let o = object; o; o = o.parent) {
    const name = o.userData && typeof o.userData.name === "string" ? o.userData.name : null;
    if (name) return name;
  }
  return null;
}

function materials(mesh) {
  return Array.isArray(mesh.material) ? mesh.material : [mesh.material];
}

class Viewer {
  constructor(container) {
    this.container = container;
    this.meshes = [];                       // every mesh of every model, with userData.globalId
    this.root = new Group();
    this.scene = new Scene();
    this.scene.background = new Color(BACKGROUND);
    this.scene.add(this.root);
    this.camera = new PerspectiveCamera(45, 1, 0.1, 1000);
    this.highlightMaterial = new MeshStandardMaterial({
      color: HIGHLIGHT, emissive: HIGHLIGHT, emissiveIntensity: 0.55, roughness: 0.6, metalness: 0,
      side: DoubleSide,
    });
    this.highlightMaterial.userData.complianceHighlight = true;
    this.ghostMaterial = new MeshStandardMaterial({
      color: GHOST, transparent: true, opacity: 0.12, depthWrite: false, roughness: 1, metalness: 0,
      side: DoubleSide,
    });
    this.renderer = null;
    this.controls = null;
    this._observer = null;
  }

  _start() {
    // throws where WebGL is unavailable: mount() turns that into data-state="error"
    this.renderer = new WebGLRenderer({ antialias: true });
    this.renderer.setPixelRatio(Math.min(window.devicePixelRatio || 1, 2));
    this.renderer.domElement.style.display = "block";
    this.renderer.domElement.style.width = "100%";
    this.renderer.domElement.style.height = "100%";
    this.container.appendChild(this.renderer.domElement);
    this.scene.add(new HemisphereLight(0xffffff, 0x8d8d8d, 1.6));
    const sun = new DirectionalLight(0xffffff, 1.8);
    sun.position.set(0.5, 1, 0.8);
    this.scene.add(sun);
    const fill = new DirectionalLight(0xffffff, 0.6);
    fill.position.set(-0.7, 0.4, -0.6);
    this.scene.add(fill);
    this.controls = new OrbitControls(this.camera, this.renderer.domElement);
    this.controls.addEventListener("change", () => this.render());
    this._resize();
    if (typeof ResizeObserver !== "undefined") {
      this._observer = new ResizeObserver(() => this._resize());
      this._observer.observe(this.container);
    }
    this._listenForPicks();
  }

  _add(gltf) {
    const model = gltf.scene;
    this.root.add(model);
    model.traverse((object) => {
      if (!object.isMesh) return;
      object.userData.globalId = globalIdOf(object);
      object.userData.original = object.material;
      this.meshes.push(object);
    });
  }

  // all models share coordinates; the whole lot is moved so that its centre is the origin
  // (georeferenced coordinates are large numbers: precision and camera planes suffer otherwise)
  _centre() {
    const box = new Box3().setFromObject(this.root);
    if (!box.isEmpty()) this.root.position.sub(box.getCenter(new Vector3()));
    this.root.updateMatrixWorld(true);
  }

  _resize() {
    const width = Math.max(1, this.container.clientWidth);
    const height = Math.max(1, this.container.clientHeight);
    this.renderer.setSize(width, height, false);
    this.camera.aspect = width / height;
    this.camera.updateProjectionMatrix();
    this.render();
  }

  render() {
    if (this.renderer) this.renderer.render(this.scene, this.camera);
  }

  // the camera looks at `objects` (default: everything) from its current direction
  _frame(objects) {
    const box = new Box3();
    for (const object of objects) box.expandByObject(object);
    if (box.isEmpty()) return;
    const sphere = box.getBoundingSphere(new Sphere());
    const radius = Math.max(sphere.radius, 0.5);
    const fov = (this.camera.fov * Math.PI) / 180;
    const fit = Math.min(fov, 2 * Math.atan(Math.tan(fov / 2) * this.camera.aspect));
    const distance = (radius / Math.sin(fit / 2)) * 1.1;
    let direction = this.camera.position.clone().sub(this.controls.target);
    if (direction.lengthSq() < 1e-12) direction = new Vector3(1, 0.8, 1.2);
    direction.normalize();
    this.controls.target.copy(sphere.center);
    this.camera.position.copy(sphere.center).addScaledVector(direction, distance);
    this.camera.near = Math.max(distance / 1000, 0.01);
    this.camera.far = distance * 20 + radius * 4;
    this.camera.updateProjectionMatrix();
    this.controls.update();
    this.render();
  }

  highlight(guids) {
    const wanted = new Set((guids || []).map(String));
    const hit = [];
    for (const mesh of this.meshes) {
      const on = wanted.has(mesh.userData.globalId);
      mesh.material = on ? this.highlightMaterial : this.ghostMaterial;
      mesh.renderOrder = on ? 0 : 1;
      if (on) hit.push(mesh);
    }
    const found = this.highlighted();
    const shown = new Set(found);
    const missing = [...wanted].filter((g) => !shown.has(g)).sort();
    this.container.dataset.highlighted = found.join(" ");
    this.container.dataset.missing = missing.join(" ");
    this._frame(hit.length ? hit : [this.root]);
    return { found, missing };
  }

  clear() {
    for (const mesh of this.meshes) {
      mesh.material = mesh.userData.original;
      mesh.renderOrder = 0;
    }
    this.container.dataset.highlighted = "";
    this.container.dataset.missing = "";
    this._frame([this.root]);
  }

  // what the scene shows highlighted: read from the meshes' materials, not remembered
  highlighted() {
    const ids = new Set();
    for (const mesh of this.meshes) {
      if (mesh.visible && mesh.userData.globalId
          && materials(mesh).some((m) => m && m.userData && m.userData.complianceHighlight === true)) {
        ids.add(mesh.userData.globalId);
      }
    }
    return [...ids].sort();
  }

  _listenForPicks() {
    const canvas = this.renderer.domElement;
    let down = null;
    canvas.addEventListener("pointerdown", (e) => { down = [e.clientX, e.clientY]; });
    canvas.addEventListener("pointerup", (e) => {
      if (!down || Math.hypot(e.clientX - down[0], e.clientY - down[1]) > CLICK_PX) return;
      down = null;
      const globalId = this.pick(e.clientX, e.clientY);
      if (!globalId) return;
      this.container.dataset.picked = globalId;
      this.container.dispatchEvent(new CustomEvent("element-picked", { detail: { globalId }, bubbles: true }));
    });
  }

  // the GlobalId under a point of the page: the nearest opaque element, else the nearest one
  pick(clientX, clientY) {
    const rect = this.renderer.domElement.getBoundingClientRect();
    const pointer = new Vector2(((clientX - rect.left) / rect.width) * 2 - 1,
      -((clientY - rect.top) / rect.height) * 2 + 1);
    const ray = new Raycaster();
    ray.setFromCamera(pointer, this.camera);
    const hits = ray.intersectObjects(this.meshes, false).filter((h) => h.object.userData.globalId);
    const opaque = hits.find((h) => materials(h.object).some((m) => m && (!m.transparent || m.opacity > 0.5)));
    const hit = opaque || hits[0];
    return hit ? hit.object.userData.globalId : null;
  }

  dispose() {
    if (this._observer) this._observer.disconnect();
    if (this.controls) this.controls.dispose();
    if (this.renderer) {
      this.renderer.dispose();
      this.renderer.domElement.remove();
    }
  }
}

async function mount(container, urls) {
  container.dataset.state = "loading";
  for (const key of ["error", "highlighted", "missing", "picked"]) delete container.dataset[key];
  const viewer = new Viewer(container);
  try {
    try {
      viewer._start();
    } catch (err) {
      throw new Error(`WebGL is not available in this browser, so the 3D view cannot be shown (${err && err.message ? err.message : err})`);
    }
    const loader = new GLTFLoader();
    const models = await Promise.all((urls || []).map((url) => loader.loadAsync(url).catch((err) => {
      throw new Error(`the 3D model ${url} could not be loaded (${err && err.message ? err.message : err})`);
    })));
    models.forEach((gltf) => viewer._add(gltf));
    viewer._centre();
    viewer._frame([viewer.root]);
    container.dataset.state = "ready";
    return viewer;
  } catch (err) {
    container.dataset.state = "error";
    container.dataset.error = err && err.message ? err.message : String(err);
    viewer.dispose();
    throw err;
  }
}

window.ComplianceViewer = { mount, version: pkg.version, three: REVISION };
