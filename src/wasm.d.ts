// wrangler bundles `import x from "./x.wasm"` as a precompiled WebAssembly.Module (Workers cannot compile at run time).
declare module "*.wasm" {
  const module: WebAssembly.Module;
  export default module;
}
