// `npm run fonts:assets` (also run on postinstall): copies the fonts into public/fonts/ and writes their manifest.
import { ensureFontAssets } from "./lib/font-assets.ts";

console.log(`font assets: ${ensureFontAssets()} faces in public/fonts/`);
