// `npm run docs:assets` (also run on postinstall): puts the API reference renderer into public/docs-assets/.
import { ensureDocsAssets } from "./lib/docs-assets.ts";

console.log(`docs assets: ${ensureDocsAssets()}`);
